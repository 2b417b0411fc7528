"""Read a GTFS feed (a zip or a folder of .txt files) into a :class:`~.timetable.Timetable`.

Tolerant where the specification is: byte-order marks, optional columns in any order, quoted
fields, blank lines, a feed zipped inside one folder, times past 24:00:00, intermediate stop
times left blank (interpolated by stop index); ``pickup_type``/``drop_off_type`` are kept.
Strict where a wrong answer would follow: a missing file or column, a malformed time or date,
a reference to an unknown stop, trip, route or service raises
:class:`~routing.transit.timetable.TimetableError` naming the file, the line and the problem. Rows
the engine cannot use (station entrances, exotic route types, trips with fewer than two stop
times) are skipped and listed with their reason in a :class:`GtfsReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from routing.transit._gtfs_fields import _Feed
from routing.transit._gtfs_tables import _Reader
from routing.transit.timetable import Timetable

__all__ = ["GtfsReport", "SkippedRow", "read_gtfs", "read_gtfs_with_report"]


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row read but not used, and why."""

    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class GtfsReport:
    """What a read made of a feed: rows turned into values per table, and rows skipped."""

    source_id: str
    created: dict[str, int] = field(default_factory=dict)
    skipped: tuple[SkippedRow, ...] = ()
    interpolated_times: int = 0

    def summary(self) -> str:
        """One line for logs: ``"feed.zip: 12 stops, 2 routes, ...; 1 row skipped"``."""
        counts = ", ".join(f"{n} {table}" for table, n in self.created.items())
        return f"{self.source_id}: {counts}; {len(self.skipped)} row(s) skipped"


def read_gtfs(path: Path | str) -> Timetable:
    """Read a GTFS feed into a :class:`Timetable` (see :func:`read_gtfs_with_report`)."""
    return read_gtfs_with_report(path)[0]


def read_gtfs_with_report(path: Path | str) -> tuple[Timetable, GtfsReport]:
    """Read a GTFS zip or folder; return the timetable and a report of what was made of it.

    Parameters
    ----------
    path
        A ``.zip`` file or a folder holding ``stops.txt``, ``routes.txt``, ``trips.txt``,
        ``stop_times.txt`` and ``calendar.txt`` and/or ``calendar_dates.txt``
        (``agency.txt`` optional).

    Returns
    -------
    tuple[Timetable, GtfsReport]
        The timetable, whose ``source_id`` is the file or folder name, and the report.

    Raises
    ------
    TimetableError
        When the path is not a feed, or a required file or column is missing, or a row is
        malformed or names an unknown id; the message names the file and line.
    """
    feed = _Feed(Path(path))
    reader = _Reader(feed)
    timetable = reader.read()
    report = GtfsReport(
        source_id=feed.source_id,
        created=reader.created,
        skipped=tuple(SkippedRow(*row) for row in reader.skipped),
        interpolated_times=reader.interpolated,
    )
    return timetable, report
