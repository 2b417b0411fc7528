"""Feed imports (GBFS, GTFS): parse, validate, then write through the catalogue functions."""

from marketplace.imports.gbfs import GBFS_FEEDS, import_gbfs, parse_gbfs
from marketplace.imports.gtfs import import_gtfs, parse_gtfs, read_gtfs
from marketplace.imports.report import ImportReport, SkippedRow

__all__ = [
    "GBFS_FEEDS",
    "ImportReport",
    "SkippedRow",
    "import_gbfs",
    "import_gtfs",
    "parse_gbfs",
    "parse_gtfs",
    "read_gtfs",
]
