"""Sub-commands that run and administer the marketplace server."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="run the web server (GraphQL API and web client)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--streets", default=None, help="street network file or artefact")
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from marketplace.app import create_app
    from marketplace.settings import Settings

    settings = Settings.from_environ(streets=args.streets)
    uvicorn.run(create_app(settings), host=args.host, port=args.port)
    return 0
