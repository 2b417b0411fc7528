"""Reading GBFS documents from files, folders or a ``gbfs.json`` discovery URL (the CLI)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from marketplace.errors import InvalidInput
from marketplace.i18n import Message
from marketplace.ingest.gbfs import GBFS_FEEDS
from marketplace.outbound import OutboundPolicy, fetch_url

__all__ = ["MAX_DOCUMENT_BYTES", "feed_name", "fetch_json", "read_gbfs_sources"]

Fetch = Callable[[str], Any]
STRICT = OutboundPolicy()
MAX_DOCUMENT_BYTES = 32 * 2**20
_TIMEOUT_S = 20.0


def feed_name(name: str) -> str | None:
    """The GBFS feed a file or URL holds, from its name (``velib_station_status.json``)."""
    stem = name.rsplit("/", 1)[-1].lower()
    matches = [feed for feed in GBFS_FEEDS if feed in stem]
    return max(matches, key=len) if matches else None


def fetch_json(url: str, *, policy: OutboundPolicy = STRICT) -> Any:
    """The JSON document at ``url``, fetched under ``policy`` (:mod:`marketplace.outbound`).

    Raises
    ------
    InvalidInput
        Refused by ``policy`` (``URL_REFUSED``), unreadable, or not JSON.
    """
    body = fetch_url(url, policy=policy, max_bytes=MAX_DOCUMENT_BYTES, timeout_s=_TIMEOUT_S)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise InvalidInput(f"could not read {url}: not JSON ({exc})") from None


def _discovered(document: Any) -> list[tuple[str, str]]:
    """``(feed name, url)`` pairs listed by a ``gbfs.json`` (3.0 flat, 2.x per language)."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        return []
    feeds = data.get("feeds")
    if feeds is None:
        languages = [v for v in data.values() if isinstance(v, dict) and "feeds" in v]
        preferred = data.get("fr") or data.get("en") or (languages[0] if languages else {})
        feeds = preferred.get("feeds") if isinstance(preferred, dict) else None
    if not isinstance(feeds, list):
        return []
    return [
        (str(f["name"]), str(f["url"]))
        for f in feeds
        if isinstance(f, dict) and f.get("name") in GBFS_FEEDS and f.get("url")
    ]


def _read_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path} is not a readable JSON file: {exc}") from None


def read_gbfs_sources(sources: Sequence[str], *, fetch: Fetch = fetch_json) -> dict[str, Any]:
    """Feed name to document, from files, folders of files, and URLs.

    A ``gbfs.json`` (file or URL) is followed to the feeds it lists; other files and URLs
    are named by the feed their name contains.

    Raises
    ------
    InvalidInput
        Unreadable source, or one whose feed cannot be told from its name.
    """
    documents: dict[str, Any] = {}
    for source in sources:
        is_url = source.startswith(("http://", "https://"))
        if not is_url and Path(source).is_dir():
            files = sorted(Path(source).glob("*.json"))
            named = [(feed_name(f.name), f) for f in files]
            documents.update({name: _read_file(f) for name, f in named if name is not None})
            continue
        document = fetch(source) if is_url else _read_file(Path(source))
        listed = _discovered(document) if source.rstrip("/").endswith("gbfs.json") else []
        if listed:
            documents.update({name: fetch(url) for name, url in listed})
            continue
        name = feed_name(source)
        if name is None:
            raise InvalidInput(
                f"cannot tell which GBFS feed {source} holds; name it after the feed "
                f"({', '.join(GBFS_FEEDS)}) or pass the gbfs.json that lists them"
            )
        documents[name] = document
    if not documents:
        raise InvalidInput(Message("gbfs.no_feed", {"sources": ", ".join(sources)}))
    return documents
