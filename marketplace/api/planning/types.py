"""What a ``plan`` query answers: itineraries of legs, with places, steps and transit
calls, and why some ways of travelling gave nothing; and the engine values turned into them,
worded in the caller's language (steps, routing errors and warnings)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from marketplace.api.catalogue.types import ServiceType
from marketplace.api.context import Info
from marketplace.api.relay import (
    PageInfo,
    encode_global_id,
)
from marketplace.i18n import Language, render
from marketplace.i18n.steps import distance_text, step_instruction
from marketplace.models import ServiceKind
from routing.planning.itinerary import Itinerary, Leg
from routing.planning.notices import PlanErrorCode, PlanWarningCode, warning_code
from routing.planning.request import PlanError
from routing.street.steps import Turn
from routing.transit.realtime import Alert

__all__ = [
    "ItineraryType",
    "LegPlace",
    "LegStep",
    "LegType",
    "PlanConnection",
    "PlanEdge",
    "PlanWarning",
    "RoutingErrorType",
    "TransitInfo",
    "TransitStopCall",
    "itinerary_type",
    "leg_place",
    "leg_type",
    "plan_warning",
    "routing_error",
]


strawberry.enum(
    PlanErrorCode,
    name="RoutingErrorCode",
    description="Why one way of travelling gave nothing; clients word each code themselves.",
)
strawberry.enum(
    PlanWarningCode,
    name="PlanWarningCode",
    description="What the street data behind a plan does not know.",
)
strawberry.enum(Turn, name="StepManeuver", description="The direction taken where a step begins.")


@strawberry.type(description="Why one way of travelling gave nothing (OTP routing error).")
class RoutingErrorType:
    code: PlanErrorCode
    description: str = strawberry.field(
        description="Readable text in the caller's language (Accept-Language or plan's "
        "locale); clients key on the code."
    )
    input_field: str | None
    mode: ServiceKind | None = strawberry.field(
        description="The service kind the error is about (NO_SERVICE_PUBLISHED)."
    )
    closed_streets: list[str] = strawberry.field(
        default_factory=list,
        description="NO_ROUTE by car because of streets the city closed to cars: those the "
        "car would have taken (names, or 'OSM <way id>' for unnamed ones); empty otherwise.",
    )


@strawberry.type(description="A limit of the street data the plan was made on.")
class PlanWarning:
    code: PlanWarningCode
    description: str = strawberry.field(description="Readable text in the caller's language.")


@strawberry.type(description="Where a leg starts or ends, with availability at planning time.")
class LegPlace:
    lat: float
    lon: float
    name: str | None
    station_id: strawberry.ID | None
    stop_id: str | None
    vehicles_available: int | None
    docks_available: int | None
    is_realtime: bool | None = strawberry.field(
        description="Whether the counts are live; false: they are as of reportedAt "
        "(older than the server's freshness limit); null: no counts."
    )
    reported_at: dt.datetime | None = strawberry.field(
        description="When the operator reported the counts."
    )


@strawberry.type(description="One turn-by-turn instruction of a street leg.")
class LegStep:
    instruction: str = strawberry.field(
        description="The maneuver, street and distance in the caller's language (French "
        "unless Accept-Language or plan's locale asks for English)."
    )
    street_name: str | None
    distance_m: float
    duration_s: float
    turn: Turn
    lat: float
    lon: float


@strawberry.type(description="A stop passed on a timetabled leg, with its position.")
class TransitStopCall:
    stop_id: str
    name: str
    lat: float
    lon: float
    time: dt.datetime


@strawberry.type(description="When a service alert is active; a missing end is open.")
class AlertPeriod:
    start: dt.datetime | None
    end: dt.datetime | None


@strawberry.type(
    name="ServiceAlert",
    description="A GTFS-Realtime service alert about a leg's route, trip or stops, active "
    "during the leg. Texts are the operator's, in the caller's language when the feed has it.",
)
class ServiceAlertType:
    id: str
    header_text: str
    description_text: str | None
    url: str | None
    cause: str | None = strawberry.field(description="GTFS-RT cause (STRIKE, CONSTRUCTION…).")
    effect: str | None = strawberry.field(
        description="GTFS-RT effect (REDUCED_SERVICE, DETOUR, STOP_MOVED…)."
    )
    active_periods: list[AlertPeriod]


@strawberry.type(description="The timetabled part of a leg.")
class TransitInfo:
    route_name: str
    trip_id: str
    headsign: str | None
    intermediate_stops: list[TransitStopCall]
    route_short_name: str = strawberry.field(
        description="The line's short name as passengers know it ('169', 'T2'); may be empty."
    )
    route_long_name: str = strawberry.field(description="The line's full name; may be empty.")
    route_color: str | None = strawberry.field(
        description="The line's colour, six hex digits without '#' (GTFS route_color)."
    )
    route_text_color: str | None = strawberry.field(
        description="The colour of text drawn on the line's colour (GTFS route_text_color)."
    )
    route_mode: str = strawberry.field(
        description="bus, tram, rail, subway, shuttle, ferry, cable_car, funicular or trolleybus."
    )
    headway_s: int | None = strawberry.field(
        description="Set on frequency-based trips: a vehicle comes about this often, and the "
        "times are nominal."
    )
    realtime: bool = strawberry.field(
        default=False,
        description="True when the leg's times are live (a GTFS-Realtime trip update), "
        "false when they are the timetable's.",
    )
    departure_delay_s: int | None = strawberry.field(
        default=None,
        description="Live departure minus the timetable's, seconds (negative: early); null "
        "without live data.",
    )
    arrival_delay_s: int | None = strawberry.field(
        default=None,
        description="Live arrival minus the timetable's, seconds; null without live data.",
    )
    alerts: list[ServiceAlertType] = strawberry.field(
        default_factory=list, description="Service alerts about this ride, active during it."
    )


@strawberry.type(description="One part of an itinerary travelled one way.")
class LegType:
    mode: str
    start: dt.datetime
    end: dt.datetime
    duration_s: float
    distance_m: float
    from_: LegPlace = strawberry.field(name="from")
    to: LegPlace
    price_minor: int | None = strawberry.field(
        description="Null when the service published no price, and for one's own car."
    )
    currency: str | None = strawberry.field(description="Null when priceMinor is null.")
    co2_grams: float
    # The line, the steps and the transit details are built (and worded) only when the query
    # asks for them: most clients ask for one of polyline and geojson, many for no steps.
    leg: strawberry.Private[Leg]
    language: strawberry.Private[Language]

    @strawberry.field(description="Encoded polyline, precision 5, (lat, lon).")
    def polyline(self) -> str:
        return self.leg.encoded_polyline(5)

    @strawberry.field(description="GeoJSON LineString, [lon, lat].")
    def geojson(self) -> JSON:
        return cast(
            JSON,
            {
                "type": "LineString",
                "coordinates": [
                    [round(lon, 6), round(lat, 6)] for lat, lon in self.leg.coordinates
                ],
            },
        )

    @strawberry.field
    def steps(self) -> list[LegStep]:
        return [
            LegStep(
                instruction=step_instruction(s, self.language),
                street_name=s.street,
                distance_m=round(s.distance_m, 1),
                duration_s=round(s.duration_s, 1),
                turn=s.turn,
                lat=s.lat,
                lon=s.lon,
            )
            for s in self.leg.steps
        ]

    @strawberry.field
    def transit(self) -> TransitInfo | None:
        details, language = self.leg.transit, self.language
        if details is None:
            return None
        return TransitInfo(
            route_name=details.route_name,
            trip_id=details.trip_id,
            headsign=details.headsign,
            route_short_name=details.route_short_name,
            route_long_name=details.route_long_name,
            route_color=details.route_color,
            route_text_color=details.route_text_color,
            route_mode=details.route_mode,
            headway_s=details.headway_s,
            realtime=details.realtime,
            departure_delay_s=details.departure_delay_s,
            arrival_delay_s=details.arrival_delay_s,
            alerts=[alert_type(alert, language) for alert in details.alerts],
            intermediate_stops=[
                TransitStopCall(stop_id=v.stop_id, name=v.name, lat=v.lat, lon=v.lon, time=v.time)
                for v in details.intermediate_stops
            ],
        )

    service_id: strawberry.Private[str | None]

    @strawberry.field(description="The marketplace service this leg uses, if any.")
    async def service(self, info: Info) -> ServiceType | None:
        if self.service_id is None:
            return None
        row = await info.context.loaders.service.load(int(self.service_id))
        return ServiceType.from_row(row) if row is not None else None


@strawberry.type(name="Itinerary", description="A door-to-door trip.")
class ItineraryType:
    start: dt.datetime
    end: dt.datetime
    duration_s: float
    distance_m: float
    walk_distance_m: float
    transfers: int
    price_minor: int | None = strawberry.field(
        description="Null when a leg's price is unknown (see unpricedLegs) or legs use "
        "different currencies."
    )
    currency: str | None = strawberry.field(description="Null when priceMinor is null.")
    co2_grams: float
    unpriced_legs: list[int] = strawberry.field(
        description="Positions (from 0) of the legs whose price is unknown."
    )
    legs: list[LegType]


@strawberry.type
class PlanEdge:
    cursor: str
    node: ItineraryType


@strawberry.type(description="Itineraries (best first) and why some ways gave nothing.")
class PlanConnection:
    edges: list[PlanEdge]
    page_info: PageInfo
    routing_errors: list[RoutingErrorType]
    search_date_time: dt.datetime
    warnings: list[PlanWarning]


def leg_place(place: Any) -> LegPlace:
    station = None
    if place.station_id is not None:
        station = encode_global_id("Station", int(place.station_id))
    return LegPlace(
        lat=place.lat,
        lon=place.lon,
        name=place.name,
        station_id=station,
        stop_id=place.stop_id,
        vehicles_available=place.vehicles_available,
        docks_available=place.docks_available,
        is_realtime=place.is_realtime,
        reported_at=place.reported_at,
    )


def _described(error: PlanError, language: Language) -> str:
    """The catalogue's sentence for the error: the place and distance when it has them."""
    place, distance_m = error.input_field, error.values.get("distance_m")
    if (
        error.code is PlanErrorCode.OUTSIDE_BOUNDS
        and place in ("origin", "destination")
        and distance_m is not None
        and math.isfinite(distance_m)
    ):
        return render(
            language,
            "routing.OUTSIDE_BOUNDS.far",
            place=render(language, f"place.{place}"),
            distance=distance_text(distance_m, language),
        )
    if error.code is PlanErrorCode.NO_ROUTE and error.closed_streets:
        many = len(error.closed_streets) > 1
        return render(
            language,
            "routing.NO_ROUTE.closed_streets" if many else "routing.NO_ROUTE.closed_street",
            streets=", ".join(error.closed_streets),
        )
    return render(language, f"routing.{error.code}")


def routing_error(error: PlanError, language: Language) -> RoutingErrorType:
    """The error with its description in ``language``: the catalogue's sentence for its code,
    or in English the engine's own sentence, which names the place or service at fault
    (closed streets are worded by the catalogue in both)."""
    worded = language != "en" or bool(error.closed_streets)
    description = _described(error, language) if worded else error.message
    return RoutingErrorType(
        code=error.code,
        description=description,
        input_field=error.input_field,
        mode=ServiceKind[error.kind.name] if error.kind is not None else None,
        closed_streets=list(error.closed_streets),
    )


def plan_warning(text: str, language: Language) -> PlanWarning:
    """A street network's warning sentence (English, from the readers) as a code and words."""
    code = warning_code(text)
    if language == "en":
        return PlanWarning(code=code, description=text)
    return PlanWarning(code=code, description=render(language, f"warning.{code}", detail=text))


def _in_language(texts: tuple[tuple[str, str], ...], language: Language) -> str | None:
    """The text in ``language``, else the one with no language, else the first."""
    by_language = {lang.split("-")[0].lower(): text for lang, text in reversed(texts)}
    if language in by_language:
        return by_language[language]
    return by_language.get("", texts[0][1] if texts else None)


def alert_type(alert: Alert, language: Language) -> ServiceAlertType:
    return ServiceAlertType(
        id=alert.id,
        header_text=_in_language(alert.header, language) or "",
        description_text=_in_language(alert.description, language),
        url=alert.url,
        cause=alert.cause,
        effect=alert.effect,
        active_periods=[AlertPeriod(start=a, end=b) for a, b in alert.active],
    )


def leg_type(leg: Leg, language: Language) -> LegType:
    return LegType(
        mode=leg.mode.value,
        start=leg.start,
        end=leg.end,
        duration_s=round(leg.duration_s, 1),
        distance_m=round(leg.distance_m, 1),
        from_=leg_place(leg.from_place),
        to=leg_place(leg.to_place),
        price_minor=leg.price_minor,
        # A currency with no amount tells a client nothing it should show.
        currency=leg.currency if leg.price_minor is not None else None,
        co2_grams=round(leg.co2_g, 1),
        leg=leg,
        language=language,
        service_id=leg.service_id,
    )


def itinerary_type(itinerary: Itinerary, language: Language) -> ItineraryType:
    return ItineraryType(
        start=itinerary.start,
        end=itinerary.end,
        duration_s=round(itinerary.duration_s, 1),
        distance_m=round(itinerary.distance_m, 1),
        walk_distance_m=round(itinerary.walk_distance_m, 1),
        transfers=itinerary.transfers,
        price_minor=itinerary.price_minor,
        currency=itinerary.currency if itinerary.price_minor is not None else None,
        co2_grams=round(itinerary.co2_g, 1),
        unpriced_legs=list(itinerary.unpriced_legs),
        legs=[leg_type(leg, language) for leg in itinerary.legs],
    )
