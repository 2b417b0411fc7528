"""``frequencies.txt`` of an imported GTFS feed, written out as the trips it stands for.

A frequency trip's stop times are a pattern (GTFS): each ``frequencies.txt`` row runs it from
``start_time`` every ``headway_secs`` while its first departure is before ``end_time``. The
import stores timetables as plain trips, so each run becomes a trip ``<trip id>@<H:MM:SS>``
with the pattern's times shifted; ``exact_times`` 0 (vehicles about that often) is planned at
the same nominal times. A bad row refuses the whole feed, naming its line.
"""

from __future__ import annotations

from marketplace.errors import InvalidInput

__all__ = ["FREQUENCY_COLUMNS", "MAX_RUNS_PER_ROW", "expand_frequencies"]

FREQUENCY_COLUMNS = ("trip_id", "start_time", "end_time", "headway_secs")
#: One run every 10 s for a whole day; more is a typing mistake, not a timetable.
MAX_RUNS_PER_ROW = 8640


def _seconds(value: str) -> int | None:
    parts = value.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    hours, minutes, seconds = (int(p) for p in parts)
    if minutes > 59 or seconds > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def expand_frequencies(tables: dict[str, list[tuple[int, dict[str, str]]]]) -> int:
    """Replace, in ``tables``, each frequency trip and its stop times by its runs.

    ``tables`` holds ``(line number, row)`` pairs; a run's rows keep the line of the
    pattern row they copy, so later reports still point into the feed. Returns how many runs
    were written. ``frequencies.txt`` is removed from ``tables``.

    Raises
    ------
    InvalidInput
        A row names an unknown trip or one without stop times, has a malformed time,
        ``end_time`` not after ``start_time``, a headway that is not a whole number > 0,
        ``exact_times`` other than 0 or 1, or more than :data:`MAX_RUNS_PER_ROW` runs.
    """
    rows = tables.pop("frequencies.txt", [])
    if not rows:
        return 0
    calls: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for numbered in tables["stop_times.txt"]:
        calls.setdefault(numbered[1]["trip_id"], []).append(numbered)
    runs: dict[str, list[int]] = {}  # trip id -> first departures
    for line, row in rows:

        def refuse(problem: str, line: int = line) -> InvalidInput:
            return InvalidInput(f"frequencies.txt line {line}: {problem}; nothing was imported")

        trip_id = row["trip_id"]
        if trip_id not in calls:
            raise refuse(f"trip_id {trip_id!r} is not a trip with stop times")
        start, end = _seconds(row["start_time"]), _seconds(row["end_time"])
        if start is None or end is None or end <= start:
            raise refuse(
                f"start_time {row['start_time']!r}, end_time {row['end_time']!r}; expected "
                "H:MM:SS times, the start before the end"
            )
        headway = row["headway_secs"]
        if not headway.isdigit() or int(headway) == 0:
            raise refuse(f"headway_secs {headway!r}; expected whole seconds > 0")
        if row.get("exact_times", "") not in ("", "0", "1"):
            raise refuse(
                f"exact_times {row['exact_times']!r}; expected 0 (frequency-based) or 1 "
                "(schedule-based)"
            )
        departures = range(start, end, int(headway))
        if len(departures) > MAX_RUNS_PER_ROW:
            raise refuse(f"{len(departures)} runs; at most {MAX_RUNS_PER_ROW} per row")
        runs.setdefault(trip_id, []).extend(departures)
    trips: list[tuple[int, dict[str, str]]] = []
    for trip_line, trip in tables["trips.txt"]:
        starts = runs.get(trip["trip_id"])
        if starts is None:
            trips.append((trip_line, trip))
        else:
            trips += [
                (trip_line, {**trip, "trip_id": f"{trip['trip_id']}@{_clock(s)}"}) for s in starts
            ]
    times: list[tuple[int, dict[str, str]]] = [
        numbered for numbered in tables["stop_times.txt"] if numbered[1]["trip_id"] not in runs
    ]
    for trip_id, starts in runs.items():
        pattern = calls[trip_id]
        first = min(
            (_seconds(c["departure_time"]) or _seconds(c["arrival_time"]) or 0)
            for _, c in pattern
            if c["departure_time"] or c["arrival_time"]
        )
        for s in starts:
            shift = s - first
            for call_line, call in pattern:
                moved = dict(call, trip_id=f"{trip_id}@{_clock(s)}")
                for column in ("arrival_time", "departure_time"):
                    value = _seconds(call[column]) if call[column] else None
                    if value is not None:
                        moved[column] = _clock(value + shift)
                times.append((call_line, moved))
    tables["trips.txt"] = trips
    tables["stop_times.txt"] = times
    return sum(len(s) for s in runs.values())
