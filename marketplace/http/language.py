"""The language an answer is written in: plain HTTP answers and GraphQL alike.

``?lang=fr|en`` wins, as a link can carry it; else the first supported language of the
``Accept-Language`` header by preference; else French, the city's own.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from marketplace.i18n import Language, language_of

__all__ = ["SUPPORTED", "preferred_language"]

SUPPORTED = ("fr", "en")


def _ranked(header: str) -> list[str]:
    """The header's primary language tags, most preferred first (``q=0`` dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def preferred_language(request: HTTPConnection) -> Language:
    """``fr`` or ``en`` for this request (or WebSocket)."""
    asked = language_of(request.query_params.get("lang", ""))
    if asked is not None:
        return asked
    for tag in _ranked(request.headers.get("accept-language", "")):
        chosen = language_of(tag)
        if chosen is not None:
            return chosen
    return "fr"
