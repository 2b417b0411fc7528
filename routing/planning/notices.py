"""What a plan tells besides its itineraries, as codes a client can translate.

Routing errors say why one way of travelling gave nothing; warnings say what the street data
cannot know. Both carry a readable description too, but clients key their own wording on the
code, so every code a plan can return is listed here (OpenTripPlanner's ``RoutingErrorCode``
names where they exist).
"""

from __future__ import annotations

import enum

__all__ = ["PlanErrorCode", "PlanWarningCode", "error_code", "warning_code"]


class PlanErrorCode(enum.StrEnum):
    """Why a combination of modes and services gave no itinerary."""

    NO_ROUTE = "NO_ROUTE"
    NO_TRANSIT_CONNECTION = "NO_TRANSIT_CONNECTION"
    NO_SERVICE_AVAILABLE = "NO_SERVICE_AVAILABLE"
    NO_SERVICE_PUBLISHED = "NO_SERVICE_PUBLISHED"
    UNKNOWN_SERVICE = "UNKNOWN_SERVICE"
    VIA_DIRECT_MODES_ONLY = "VIA_DIRECT_MODES_ONLY"
    LOCATION_NOT_FOUND = "LOCATION_NOT_FOUND"
    OUTSIDE_BOUNDS = "OUTSIDE_BOUNDS"
    NO_STREET_NETWORK = "NO_STREET_NETWORK"
    TIMETABLE_ERROR = "TIMETABLE_ERROR"
    ROUTING_ERROR = "ROUTING_ERROR"


# Routing exceptions' own codes that read differently in a plan.
_EXCEPTION_CODES = {"INVALID_COORDINATE": PlanErrorCode.LOCATION_NOT_FOUND}


def error_code(code: str) -> PlanErrorCode:
    """The plan error code for a routing exception's ``code`` (``ROUTING_ERROR`` if unknown)."""
    if code in _EXCEPTION_CODES:
        return _EXCEPTION_CODES[code]
    try:
        return PlanErrorCode(code)
    except ValueError:
        return PlanErrorCode.ROUTING_ERROR


class PlanWarningCode(enum.StrEnum):
    """What the street data behind a plan does not know."""

    ONEWAY_UNKNOWN = "ONEWAY_UNKNOWN"
    STREET_NAMES_UNKNOWN = "STREET_NAMES_UNKNOWN"
    STREET_ACCESS_UNKNOWN = "STREET_ACCESS_UNKNOWN"
    EDGES_DROPPED = "EDGES_DROPPED"
    NODE_IDS_NOT_OSM = "NODE_IDS_NOT_OSM"
    OTHER = "OTHER"


# The readers write their warnings as sentences (kept in saved artefacts); these are the
# sentences' stable openings. A new reader warning without one here reads as OTHER.
_WARNING_OPENINGS: tuple[tuple[str, PlanWarningCode], ...] = (
    ("one-way data missing", PlanWarningCode.ONEWAY_UNKNOWN),
    ("graphml is undirected", PlanWarningCode.ONEWAY_UNKNOWN),
    ("street names missing", PlanWarningCode.STREET_NAMES_UNKNOWN),
    ("street classes and access missing", PlanWarningCode.STREET_ACCESS_UNKNOWN),
    ("graphml keeps only the tags", PlanWarningCode.STREET_ACCESS_UNKNOWN),
    ("node ids are 0..n-1", PlanWarningCode.NODE_IDS_NOT_OSM),
)


def warning_code(text: str) -> PlanWarningCode:
    """The code of a street network's warning sentence."""
    lowered = text.strip().lower()
    for opening, code in _WARNING_OPENINGS:
        if lowered.startswith(opening):
            return code
    if "name unknown nodes and were dropped" in lowered:
        return PlanWarningCode.EDGES_DROPPED
    return PlanWarningCode.OTHER
