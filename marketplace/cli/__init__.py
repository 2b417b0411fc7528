"""The ``issy-mobility`` command line.

Each module of this package adds its own sub-commands through ``register(subparsers)``;
this one only wires them and turns expected errors into a one-line message and exit code 2
(1 for a database whose schema needs `issy-mobility migrate`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from marketplace.errors import SchemaOutOfDate
from routing.errors import RoutingError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    from marketplace.cli import jobs, people, seed, server, streets, traffic

    parser = argparse.ArgumentParser(
        prog="issy-mobility",
        description="Issy Mobility: mobility services marketplace and street routing engine.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    streets.register(subparsers)
    server.register(subparsers)
    traffic.register(subparsers)
    people.register(subparsers)
    seed.register(subparsers)
    jobs.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from marketplace.errors import MarketplaceError

    try:
        result: int = args.handler(args)
    except (RoutingError, ValueError, MarketplaceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SchemaOutOfDate as exc:
        # Only `migrate` changes the schema: every other command refuses a stale one.
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return result
