"""A real HTTP server on a loopback socket that serves what a test puts in it: the partner's
GTFS-Realtime or GBFS endpoint, as the platform's poller reaches it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.transit import gtfs_realtime_pb2 as rt


@dataclass
class FeedServer:
    """``bodies`` maps a path to ``(status, body)``; ``hits`` counts requests per path."""

    base_url: str
    bodies: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    """Serve on 127.0.0.1 with a free port until the block ends."""
    state = FeedServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits[self.path] = state.hits.get(self.path, 0) + 1
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
