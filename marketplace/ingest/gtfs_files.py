"""Reading a GTFS feed's files: bounded in size and rows, CSV parsed strictly.

A feed is untrusted input. A zip is checked entry by entry before anything is decompressed
(a 1 MB zip may announce a 1 GiB ``shapes.txt``), the files the import needs are then read
in chunks that stop at :data:`MAX_FILE_BYTES` whatever the zip claims, and the other files
are never read. CSV is parsed strictly, as the canonical GTFS validator does: an unbalanced
quote or a value running over a line break rejects the feed with the file and the line,
instead of silently swallowing the rows that follow.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from marketplace.errors import InvalidInput
from marketplace.i18n import Message
from marketplace.ingest.gtfs_frequencies import FREQUENCY_COLUMNS, expand_frequencies
from marketplace.text import ACCEPTED_TEXT, forbidden_character
from routing.transit.gtfs_fares_v2 import FARES_V2_COLUMNS

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_ZIP_BYTES",
    "REQUIRED_COLUMNS",
    "WEEKDAYS",
    "GtfsFeed",
    "parse_gtfs",
    "read_gtfs",
    "require_feed_files",
]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_name", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar.txt": ("service_id", *WEEKDAYS, "start_date", "end_date"),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "frequencies.txt": FREQUENCY_COLUMNS,
    "agency.txt": (),
    "fare_attributes.txt": ("fare_id", "price", "currency_type"),
    "fare_rules.txt": ("fare_id",),
    "transfers.txt": ("from_stop_id", "to_stop_id", "transfer_type"),
    **FARES_V2_COLUMNS,
}
"""The files the import reads, and the columns each must have."""

MAX_FILE_BYTES = 128 * 2**20
"""Largest decompressed file of a feed (128 MiB: several times a regional bus network's
``stop_times.txt``)."""

MAX_ZIP_BYTES = 512 * 2**20
"""Largest decompressed size of all the entries of a zip together, read or not."""

MAX_ROWS = 1_000_000
"""Most rows in one file of a feed."""

_CHUNK_BYTES = 2**20

ROWS_PER_REPORT = 20_000
"""Rows parsed between two calls of a :data:`RowsRead` callback."""

RowsRead = Callable[[str, int], None]
"""Called with a file's name and its rows parsed so far (every :data:`ROWS_PER_REPORT`, and
once the file is done); whatever it raises stops the parse."""


@dataclass(frozen=True, slots=True)
class GtfsFeed:
    """The feed's tables as ``(line number, row)`` pairs (column name to text)."""

    tables: dict[str, list[tuple[int, dict[str, str]]]]


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, source: Path) -> str:
    """The entry's text, read in chunks and stopped at :data:`MAX_FILE_BYTES` even when its
    header understates the size."""
    chunks: list[bytes] = []
    read = 0
    with archive.open(entry) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            read += len(chunk)
            if read > MAX_FILE_BYTES:
                raise InvalidInput(
                    f"{source}: {entry.filename} decompresses to more than "
                    f"{_mib(MAX_FILE_BYTES)} (the limit per file); nothing was imported"
                )
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8-sig")


def _read_zip(source: Path) -> dict[str, str]:
    with zipfile.ZipFile(source) as archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        for entry in entries:
            if entry.file_size > MAX_FILE_BYTES:
                raise InvalidInput(
                    f"{source}: {entry.filename} decompresses to {_mib(entry.file_size)}; "
                    f"a file of a feed may hold at most {_mib(MAX_FILE_BYTES)}; "
                    "nothing was imported"
                )
        total = sum(e.file_size for e in entries)
        if total > MAX_ZIP_BYTES:
            raise InvalidInput(
                f"{source} decompresses to {_mib(total)}; a feed may hold at most "
                f"{_mib(MAX_ZIP_BYTES)}; nothing was imported"
            )
        return {
            Path(e.filename).name: _read_entry(archive, e, source)
            for e in entries
            if Path(e.filename).name in REQUIRED_COLUMNS
        }


def _read_folder(source: Path) -> dict[str, str]:
    files = {}
    for name in REQUIRED_COLUMNS:
        path = source / name
        if not path.is_file():
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                f"{path} holds {_mib(size)}; a file of a feed may hold at most "
                f"{_mib(MAX_FILE_BYTES)}; nothing was imported"
            )
        files[name] = path.read_text(encoding="utf-8-sig")
    return files


def read_gtfs(path: str | Path) -> dict[str, str]:
    """The text of each file of a GTFS zip or folder that the import reads
    (:data:`REQUIRED_COLUMNS`); other files (``shapes.txt``...) are left unread.

    Raises
    ------
    InvalidInput
        Not a zip nor a folder, unreadable, not UTF-8, or beyond :data:`MAX_FILE_BYTES` /
        :data:`MAX_ZIP_BYTES` (checked before decompressing).
    """
    source = Path(path)
    try:
        return _read_folder(source) if source.is_dir() else _read_zip(source)
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is not a readable GTFS zip or folder: {exc}") from None


def _check_text(name: str, text: str) -> None:
    """A file holding text no database may store (NUL...) is refused whole, on both
    databases alike: its rows cannot be trusted to be what the producer meant."""
    found = forbidden_character(text)
    if found is not None:
        position, character = found
        line = text.count("\n", 0, position) + 1
        raise InvalidInput(
            f"{name} line {line} holds the character U+{ord(character):04X}; {ACCEPTED_TEXT}; "
            "nothing was imported"
        )


def _table(
    name: str, text: str, rows_read: RowsRead | None = None
) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` pairs of one file, parsed strictly.

    A row with fewer values than columns reads the missing ones as empty (optional columns
    at the end are often left out); more values than columns, an unbalanced quote or a value
    running over a line break reject the file.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    try:
        header = next(reader, [])
        columns = [c.strip() for c in header]
        absent = [c for c in REQUIRED_COLUMNS[name] if c not in columns]
        if absent:
            values = {"file": name, "columns": ", ".join(absent)}
            raise InvalidInput(Message("gtfs.missing_columns", values))
        line = reader.line_num + 1
        for fields in reader:
            first, line = line, reader.line_num + 1
            if not fields:
                continue  # a blank line
            if reader.line_num > first:
                raise InvalidInput(
                    f"{name} line {first}: a quoted value runs over lines {first}-"
                    f"{reader.line_num} (a quote opened and not closed?); values may not "
                    "hold line breaks; nothing was imported"
                )
            if len(fields) > len(columns):
                raise InvalidInput(
                    f"{name} line {first} has {len(fields)} values for {len(columns)} "
                    "columns; nothing was imported"
                )
            if len(rows) == MAX_ROWS:
                raise InvalidInput(
                    f"{name} has more than {MAX_ROWS:,} rows (the limit per file); "
                    "nothing was imported"
                )
            padded = fields + [""] * (len(columns) - len(fields))
            rows.append((first, {c: v.strip() for c, v in zip(columns, padded, strict=True)}))
            if rows_read is not None and len(rows) % ROWS_PER_REPORT == 0:
                rows_read(name, len(rows))
    except csv.Error as exc:
        raise InvalidInput(
            f"{name} line {line}: {exc} (a quote opened and not closed, or text after a "
            "closing quote?); nothing was imported"
        ) from None
    if rows_read is not None:
        rows_read(name, len(rows))
    return rows


def require_feed_files(names: Collection[str]) -> None:
    """Raise :class:`InvalidInput` naming the required files missing from ``names``."""
    core = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
    missing = ", ".join(name for name in core if name not in names)
    no_calendar = "calendar.txt" not in names and "calendar_dates.txt" not in names
    if no_calendar:
        key = "gtfs.missing_files_and_calendar" if missing else "gtfs.missing_calendar"
        raise InvalidInput(Message(key, {"files": missing}))
    if missing:
        raise InvalidInput(Message("gtfs.missing_files", {"files": missing}))


def parse_gtfs(files: Mapping[str, str], rows_read: RowsRead | None = None) -> GtfsFeed:
    """Parse the CSV files of a feed and check that the required files and columns exist.

    Raises
    ------
    InvalidInput
        A required file or column is missing (the message lists them), a file breaks the CSV
        rules or :data:`MAX_ROWS` (the message gives the line), or holds a character no text
        may hold (:mod:`marketplace.text`).

    ``rows_read`` follows the parse file by file (a queued import's progress).
    """
    require_feed_files(files)
    tables: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for name in REQUIRED_COLUMNS:
        if name in files:
            _check_text(name, files[name])
            tables[name] = _table(name, files[name], rows_read)
    expand_frequencies(tables)
    return GtfsFeed(tables=tables)
