"""GTFS-Realtime feeds (TripUpdates, ServiceAlerts) read with ``gtfs-realtime-bindings`` and
matched to the timetable a partner imported.

A feed names trips and stops by the GTFS ids of the static feed; the import kept them (trip
``external_id``, station ``external_id``, ``stop_sequence``), so a trip update becomes the
engine's :class:`~routing.transit.realtime.TripUpdate` on the timetable's own ids (stop
positions along the trip, stations' database ids). What the timetable lacks (an unknown trip,
a stop the trip does not call at, an added trip, which has no schedule to move) is left out
and said in ``problems``, as catalogue messages, for the feed's status; bytes that are not a
``FeedMessage`` are refused whole (:class:`~marketplace.errors.InvalidInput`).

Times: a stop's absolute ``time`` (POSIX seconds) counts from the start of the trip's
``start_date`` as the timetable does (GTFS's noon minus 12 h, midnight but on DST change
days) in its route's agency timezone, else the service's; a trip without ``start_date`` runs
on the day the feed was made (its header ``timestamp``, else when it was read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from google.protobuf.message import DecodeError
from google.transit import gtfs_realtime_pb2 as rt

from marketplace.catalogue.timetables import TimetableView, TripView
from marketplace.errors import InvalidInput
from marketplace.i18n import Message
from routing.transit.realtime import (
    Alert,
    AlertEntity,
    StopTimeUpdate,
    TripUpdate,
    TripUpdates,
)
from routing.transit.service_day import service_day_start

__all__ = ["LiveReading", "decode_feed", "read_live_feeds"]

# Problems listed on a feed's status at the most (a broken feed may name thousands of ids).
MAX_PROBLEMS = 20

_SKIPPED = rt.TripUpdate.StopTimeUpdate.SKIPPED
_NO_DATA = rt.TripUpdate.StopTimeUpdate.NO_DATA
_CANCELED = rt.TripDescriptor.CANCELED
_SCHEDULED = rt.TripDescriptor.SCHEDULED


@dataclass(frozen=True)
class LiveReading:
    """A service's live data on its timetable's ids, and what could not be matched."""

    updates: TripUpdates
    problems: tuple[Message, ...] = ()


def decode_feed(payload: bytes) -> rt.FeedMessage:
    """The ``FeedMessage`` in ``payload``.

    Raises
    ------
    InvalidInput
        When the bytes are not a GTFS-Realtime protobuf ``FeedMessage``.
    """
    message = rt.FeedMessage()
    try:
        message.ParseFromString(payload)
    except (DecodeError, ValueError) as exc:
        raise InvalidInput(Message("live_feed.not_protobuf", {"reason": str(exc)})) from None
    if not message.HasField("header") or not message.header.gtfs_realtime_version:
        raise InvalidInput(Message("live_feed.not_protobuf", {"reason": "no FeedHeader"}))
    return message


def read_live_feeds(
    payloads: Iterable[tuple[bytes, dt.datetime]],
    *,
    service_id: int,
    timetable: TimetableView | None,
    stations: Mapping[str, int],
    timezone: ZoneInfo,
) -> LiveReading:
    """Trip updates and alerts of one service from its feeds' payloads, each with the time
    it was read.

    ``stations`` maps the feed's stop ids (station ``external_id``) to station ids.

    Raises
    ------
    InvalidInput
        When a payload is not a ``FeedMessage``.
    """
    trips = {t.external_id: t for t in timetable.trips} if timetable else {}
    routes = {r.external_id for r in timetable.routes} if timetable else set()
    zones = {r.external_id: r.timezone for r in timetable.routes if r.timezone} if timetable else {}
    problems: list[Message] = []
    updates: list[TripUpdate] = []
    alerts: list[Alert] = []
    newest: dt.datetime | None = None
    for payload, read_at in payloads:
        message = decode_feed(payload)
        made_at = read_at
        if message.header.timestamp:
            made_at = dt.datetime.fromtimestamp(message.header.timestamp, dt.UTC)
        newest = made_at if newest is None else max(newest, made_at)
        today = made_at.astimezone(timezone).date()
        for entity in message.entity:
            if entity.HasField("trip_update"):
                update = _trip_update(entity.trip_update, trips, stations, today, timezone, zones)
                if isinstance(update, Message):
                    problems.append(update)
                else:
                    updates.append(update)
            if entity.HasField("alert"):
                alert, unknown = _alert(entity.id, entity.alert, service_id, routes, stations)
                problems += unknown
                if alert is not None:
                    alerts.append(alert)
    # One update per trip and day: a later feed entity wins, as a newer message would.
    latest = {(u.trip_id, u.service_date): u for u in updates}
    return LiveReading(
        TripUpdates(tuple(latest.values()), tuple(alerts), received_at=newest),
        tuple(problems[:MAX_PROBLEMS]),
    )


def _service_date(descriptor: rt.TripDescriptor, today: dt.date) -> dt.date | None:
    if not descriptor.start_date:
        return today
    try:
        return dt.datetime.strptime(descriptor.start_date, "%Y%m%d").date()
    except ValueError:
        return None


def _trip_update(
    update: rt.TripUpdate,
    trips: Mapping[str, TripView],
    stations: Mapping[str, int],
    today: dt.date,
    timezone: ZoneInfo,
    zones: Mapping[str, str],
) -> TripUpdate | Message:
    descriptor = update.trip
    trip_id = descriptor.trip_id
    trip = trips.get(trip_id)
    if trip is None:
        return Message("live_feed.unknown_trip", {"trip_id": trip_id or "(none)"})
    relationship = descriptor.schedule_relationship
    if relationship not in (_SCHEDULED, _CANCELED):
        name = rt.TripDescriptor.ScheduleRelationship.Name(relationship)
        return Message("live_feed.unsupported_trip", {"trip_id": trip_id, "relationship": name})
    day = _service_date(descriptor, today)
    if day is None:
        return Message(
            "live_feed.bad_start_date", {"trip_id": trip_id, "value": descriptor.start_date}
        )
    if relationship == _CANCELED:
        return TripUpdate(trip_id, day, cancelled=True)
    # The timetable's clock for the day: noon minus 12 h in the trip's agency timezone.
    day_start = service_day_start(day, zones.get(trip.route_external_id, timezone))
    by_sequence = {seq: i for i, seq in enumerate(trip.stop_sequences)}
    station_positions: dict[int, list[int]] = {}
    for i, (station, _, _) in enumerate(trip.stop_times):
        station_positions.setdefault(station, []).append(i)
    stop_updates: dict[int, StopTimeUpdate] = {}
    after = -1
    for stop in update.stop_time_update:
        position = _position(stop, by_sequence, stations, station_positions, after)
        if position is None:
            return Message(
                "live_feed.unknown_stop",
                {"trip_id": trip_id, "stop": stop.stop_id or str(stop.stop_sequence)},
            )
        after = position
        stop_updates[position] = StopTimeUpdate(
            position,
            arrival_delay_s=_delay(stop, "arrival"),
            departure_delay_s=_delay(stop, "departure"),
            arrival_s=_absolute(stop, "arrival", day_start),
            departure_s=_absolute(stop, "departure", day_start),
            skipped=stop.schedule_relationship == _SKIPPED,
            no_data=stop.schedule_relationship == _NO_DATA,
        )
    return TripUpdate(
        trip_id,
        day,
        stop_updates=tuple(stop_updates[p] for p in sorted(stop_updates)),
        delay_s=update.delay if update.HasField("delay") else None,
    )


def _position(
    stop: rt.TripUpdate.StopTimeUpdate,
    by_sequence: Mapping[int, int],
    stations: Mapping[str, int],
    station_positions: Mapping[int, Sequence[int]],
    after: int,
) -> int | None:
    """Where along the trip the update's stop is: by ``stop_sequence`` (exact, loops
    included), else the first call at ``stop_id`` after the previous update's."""
    if stop.HasField("stop_sequence"):
        return by_sequence.get(stop.stop_sequence)
    station = stations.get(stop.stop_id)
    if station is None:
        return None
    return next((i for i in station_positions.get(station, ()) if i > after), None)


def _delay(stop: rt.TripUpdate.StopTimeUpdate, which: str) -> int | None:
    if not stop.HasField(which):
        return None
    event: rt.TripUpdate.StopTimeEvent = getattr(stop, which)
    return event.delay if event.HasField("delay") else None


def _absolute(stop: rt.TripUpdate.StopTimeUpdate, which: str, day_start: dt.datetime) -> int | None:
    if not stop.HasField(which):
        return None
    event: rt.TripUpdate.StopTimeEvent = getattr(stop, which)
    if not event.HasField("time") or event.time <= 0:
        return None
    moment = dt.datetime.fromtimestamp(event.time, dt.UTC)
    return round((moment - day_start).total_seconds())


def _texts(text: rt.TranslatedString) -> tuple[tuple[str, str], ...]:
    return tuple((t.language or "", t.text) for t in text.translation if t.text)


def _alert(
    alert_id: str,
    alert: rt.Alert,
    service_id: int,
    routes: set[str],
    stations: Mapping[str, int],
) -> tuple[Alert | None, list[Message]]:
    problems: list[Message] = []
    entities: list[AlertEntity] = []
    for selector in alert.informed_entity:
        stop_id: str | None = None
        if selector.stop_id:
            station = stations.get(selector.stop_id)
            if station is None:
                problems.append(Message("live_feed.unknown_alert_stop", {"stop": selector.stop_id}))
                continue
            stop_id = str(station)
        route_id = selector.route_id or None
        if route_id is not None and route_id not in routes:
            problems.append(Message("live_feed.unknown_alert_route", {"route": route_id}))
            continue
        trip_id = selector.trip.trip_id if selector.HasField("trip") else ""
        entities.append(
            AlertEntity(
                # The feed registered for a service speaks for that service's agency.
                agency_id=str(service_id) if selector.agency_id else None,
                route_id=route_id,
                trip_id=trip_id or None,
                stop_id=stop_id,
                route_type=selector.route_type if selector.HasField("route_type") else None,
            )
        )
    if not entities:
        return None, problems
    periods = tuple(
        (
            dt.datetime.fromtimestamp(p.start, dt.UTC) if p.start else None,
            dt.datetime.fromtimestamp(p.end, dt.UTC) if p.end else None,
        )
        for p in alert.active_period
    )
    return (
        Alert(
            id=alert_id,
            header=_texts(alert.header_text),
            description=_texts(alert.description_text),
            url=next((text for _, text in _texts(alert.url)), None),
            cause=rt.Alert.Cause.Name(alert.cause) if alert.HasField("cause") else None,
            effect=rt.Alert.Effect.Name(alert.effect) if alert.HasField("effect") else None,
            entities=tuple(entities),
            active=periods,
        ),
        problems,
    )
