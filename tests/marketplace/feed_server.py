"""A real HTTP server on a loopback socket that serves what a test puts in it: the partner's
GTFS-Realtime or GBFS endpoint, as the platform's poller reaches it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.transit import gtfs_realtime_pb2 as rt

from marketplace.ingest.live_feeds import feed_fetcher
from marketplace.outbound import OutboundPolicy

LOCAL_FEEDS = OutboundPolicy.allowing("127.0.0.1/32")
"""What a deployment allows with ``ISSY_OUTBOUND_ALLOW=127.0.0.1/32``: the feed server's
address, which the platform otherwise refuses to fetch (:mod:`marketplace.outbound`)."""

fetch_local = feed_fetcher(LOCAL_FEEDS)
"""The poller's fetch under :data:`LOCAL_FEEDS`."""


@dataclass
class FeedServer:
    """``bodies`` maps a path to ``(status, body)``, ``redirects`` a path to the ``Location``
    it answers with a 302; ``hits`` counts requests per path, ``hosts`` the ``Host`` headers
    received."""

    base_url: str
    bodies: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    """Serve on 127.0.0.1 with a free port until the block ends."""
    state = FeedServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits[self.path] = state.hits.get(self.path, 0) + 1
            state.hosts.append(self.headers.get("Host", ""))
            if self.path in state.redirects:
                self.send_response(302)
                self.send_header("Location", state.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, body = state.bodies.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def feed_message(timestamp: int) -> rt.FeedMessage:
    """An empty GTFS-Realtime 2.0 full-dataset feed made at ``timestamp`` (POSIX seconds)."""
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = rt.FeedHeader.FULL_DATASET
    message.header.timestamp = timestamp
    return message
