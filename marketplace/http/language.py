"""The language a plain HTTP answer (a file, not the web client) is written in.

``?lang=fr|en`` wins, as a link can carry it; else the first supported language of the
``Accept-Language`` header by preference; else French, the city's own.
"""

from __future__ import annotations

from starlette.requests import Request

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


def preferred_language(request: Request) -> str:
    """``fr`` or ``en`` for this request."""
    asked = request.query_params.get("lang", "").lower()
    if asked in SUPPORTED:
        return asked
    for tag in _ranked(request.headers.get("accept-language", "")):
        if tag in SUPPORTED:
            return tag
    return SUPPORTED[0]
