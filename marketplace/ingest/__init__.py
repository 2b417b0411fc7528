"""Feed imports (GBFS, GTFS): parse, validate, then write through the catalogue functions."""

from marketplace.ingest.gbfs import GBFS_FEEDS, import_gbfs, parse_gbfs
from marketplace.ingest.gtfs import import_gtfs, parse_gtfs, read_gtfs
from marketplace.ingest.report import ImportReport, SkippedRow

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
