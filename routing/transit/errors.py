"""The transit layer's error, apart so that every value module (timetables, fares) raises it."""

from __future__ import annotations

from routing.errors import RoutingError

__all__ = ["TimetableError"]


class TimetableError(ValueError, RoutingError):
    """A timetable value or a GTFS feed is malformed; the message names the id, field or line."""

    code = "TIMETABLE_ERROR"
