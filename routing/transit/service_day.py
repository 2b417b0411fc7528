"""Where a GTFS service day's clock starts, in absolute time, across DST changes.

GTFS counts a trip's times from "noon minus 12 h" of its service day in the agency's time
zone, not from midnight: on the day clocks go forward (Europe/Paris, last Sunday of March)
that is 23:00 the evening before, so ``08:00:00`` is 08:00 on the wall clock, and ``01:00:00``
is midnight. On most days it is midnight.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["service_day_start", "shift_between_s"]


def service_day_start(day: dt.date, timezone: str | dt.tzinfo) -> dt.datetime:
    """The instant (UTC) a GTFS time of ``00:00:00`` on service day ``day`` names."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=zone)
    return noon.astimezone(dt.UTC) - dt.timedelta(hours=12)


def shift_between_s(
    day: dt.date, timezone: str | dt.tzinfo, base_day: dt.date, base_timezone: str | dt.tzinfo
) -> int:
    """Seconds to add to a time of service day ``day`` in ``timezone`` to count it from the
    start of ``base_day`` in ``base_timezone``."""
    delta = service_day_start(day, timezone) - service_day_start(base_day, base_timezone)
    return int(delta.total_seconds())
