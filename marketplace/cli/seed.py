"""``issy-mobility seed open-data``: a fresh install serves Issy's real open data.

Loads the Vélib' stations, transit stops and stations, points of interest and the commune's
boundary from the shared open-data folder (see :mod:`marketplace.ingest.open_data`) in one
transaction, and prints what it loaded with each dataset's date and licence. ``--if-empty``
is what ``make run`` uses: seed a new database, leave one already in use alone, and start
without open data (saying so) when the folder is not there.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlmodel import Session, func, select

from marketplace.db import Database
from marketplace.errors import MarketplaceError
from marketplace.ingest.datafiles import DataFileError
from marketplace.ingest.open_data import OpenData, read_open_data
from marketplace.ingest.seed import OPEN_DATA_PARTNER, SeedReport, seed_open_data
from marketplace.models import MobilityService, Place
from marketplace.settings import Settings

__all__ = ["default_data_dir", "register"]


def default_data_dir() -> Path:
    """``$ISSY_SHARED_DATA``, else ``shared/data`` beside the checkout."""
    configured = os.environ.get("ISSY_SHARED_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``seed open-data``."""
    seed = subparsers.add_parser("seed", help="load reference data into the marketplace")
    sources = seed.add_subparsers(dest="seed_source", required=True)
    open_data = sources.add_parser(
        "open-data",
        help="Vélib' stations, transit stops, points of interest and Issy's boundary",
    )
    open_data.add_argument(
        "--data",
        type=Path,
        default=None,
        help="open-data folder (default: $ISSY_SHARED_DATA, else ../shared/data)",
    )
    open_data.add_argument(
        "--if-empty",
        action="store_true",
        help="only seed a database with no services and no places; skip a missing folder",
    )
    open_data.set_defaults(handler=_seed_open_data)


def _is_empty(session: Session) -> bool:
    services = session.exec(select(func.count()).select_from(MobilityService)).one()
    places = session.exec(select(func.count()).select_from(Place)).one()
    return services == 0 and places == 0


def _print_report(data: OpenData, report: SeedReport) -> None:
    if not report.changed:
        checked = sum(p.unchanged for p in report.parts.values())
        print(
            f"nothing changed: the database already holds this open data ({checked} rows checked)"
        )
    else:
        print(f"open data loaded as partner {OPEN_DATA_PARTNER!r}:")
        for part, counts in report.parts.items():
            print(
                f"  {part}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged"
            )
        print(
            f"  services: {report.services_created} created, {report.services_described} "
            f"described anew, {report.services_published} published"
        )
    print("data (date; licence):")
    for dataset in data.datasets:
        print(f"  {dataset.title}: {dataset.file} ({dataset.date}; {dataset.licence})")


def _seed_open_data(args: argparse.Namespace) -> int:
    data_dir: Path = args.data or default_data_dir()
    if args.if_empty and not data_dir.is_dir():
        print(f"no open data at {data_dir}: seed skipped (set ISSY_SHARED_DATA to load it)")
        return 0
    database = Database(Settings.from_environ().database_url)
    try:
        database.require_current_schema()
        if args.if_empty and not database.call(_is_empty):
            print("database already holds services or places: open-data seed skipped")
            return 0
        try:
            data = read_open_data(data_dir)
        except DataFileError as exc:
            print(f"error: {exc.message}; nothing was loaded", file=sys.stderr)
            return 2
        report = database.call(seed_open_data, data)
    except MarketplaceError as exc:
        print(f"error: {exc.message}; nothing was loaded", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    _print_report(data, report)
    return 0
