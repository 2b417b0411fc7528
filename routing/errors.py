"""Exceptions the routing engine raises; callers can act on each type.

Every message names the offending value and says what is accepted.
"""

from __future__ import annotations

__all__ = [
    "CorruptArtefactError",
    "InvalidCoordinateError",
    "LocationOutsideNetworkError",
    "NoRouteError",
    "NoStreetNetworkError",
    "RoutingError",
    "StreetDataError",
]


class RoutingError(Exception):
    """Base class of every error the routing engine raises on purpose."""

    code = "ROUTING_ERROR"


class InvalidCoordinateError(ValueError, RoutingError):
    """A coordinate is not a finite (lat, lon) pair in range, or looks swapped."""

    code = "INVALID_COORDINATE"


class LocationOutsideNetworkError(ValueError, RoutingError):
    """A coordinate lies farther from any usable street than the snapping limit.

    ``place`` is the point's name in the request (``origin``...), ``distance_m`` how far the
    nearest usable street is: what a client needs to word the error itself.
    """

    code = "OUTSIDE_BOUNDS"

    def __init__(
        self, message: str, *, place: str | None = None, distance_m: float | None = None
    ) -> None:
        super().__init__(message)
        self.place = place
        self.distance_m = distance_m


class NoRouteError(RoutingError):
    """Origin and destination are both on the network but not connected for this mode."""

    code = "NO_ROUTE"


class StreetDataError(ValueError, RoutingError):
    """A street data file is missing, empty, corrupt or of a kind we cannot read."""

    code = "STREET_DATA_ERROR"


class CorruptArtefactError(StreetDataError):
    """A compiled graph artefact fails its checksum or misses arrays."""

    code = "CORRUPT_ARTEFACT"


class NoStreetNetworkError(RoutingError):
    """No street network is loaded: offline, nothing cached and no file given."""

    code = "NO_STREET_NETWORK"
