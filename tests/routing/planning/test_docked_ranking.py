"""Docked shares rank station pairs on one many-to-many search, then time the best exactly:
the pair chosen must be the one an exact duration per pair would choose, ties included (the
grid's symmetric stations tie exactly; estimates differ from exact times by rounding only)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from routing.errors import NoRouteError
from routing.planning.itinerary import LegMode
from routing.planning.planner import TripPlanner
from routing.planning.services import (
    PricingPlan,
    ServiceCatalogue,
    ServiceKind,
    SharedVehicleService,
    Station,
)
from routing.street.modes import Mode
from routing.street.router import StreetRouter
from routing.street.snap import Snap
from tests.routing.planning.grid_trips import at, request

# Stations around both ends, placed symmetrically: several pairs take exactly as long.
PICKUPS = [(0, 0.25), (0.25, 0), (0.5, 0.5), (0, 0.75), (0.75, 0)]
DROPOFFS = [(4, 3.75), (3.75, 4), (3.5, 3.5), (4, 3.25), (3.25, 4)]


def many_bikes() -> SharedVehicleService:
    stations = [
        Station(f"p{i}", f"Pick-up {i}", *at(*p), vehicles_available=2, docks_available=0)
        for i, p in enumerate(PICKUPS)
    ] + [
        Station(f"d{i}", f"Drop-off {i}", *at(*p), vehicles_available=0, docks_available=4)
        for i, p in enumerate(DROPOFFS)
    ]
    return SharedVehicleService(
        id="velo",
        name="Vélo test",
        kind=ServiceKind.BIKE_SHARE,
        ride_mode=Mode.BIKE,
        stations=tuple(stations),
        pricing=PricingPlan(currency="EUR", unlock_minor=100, per_minute_minor=5),
    )


def exact_matrix(router: StreetRouter, starts: Sequence[Snap], ends: Sequence[Snap]) -> np.ndarray:
    """What ranking looked like before: ``duration_between`` for every pair."""
    out = np.full((len(starts), len(ends)), np.inf)
    for (i, a), (j, b) in itertools.product(enumerate(starts), enumerate(ends)):
        with contextlib.suppress(NoRouteError):
            out[i, j] = router.duration_between(a, b)
    return out


@pytest.mark.parametrize(
    ("origin", "destination"), [((0, 0), (4, 4)), ((0.1, 0.1), (3.9, 3.9)), ((0, 0.5), (4, 3.5))]
)
def test_the_pair_chosen_is_the_one_exact_durations_choose(
    planner: TripPlanner,
    monkeypatch: pytest.MonkeyPatch,
    origin: tuple[float, float],
    destination: tuple[float, float],
) -> None:
    catalogue = ServiceCatalogue((many_bikes(),), version=1)
    asked = request(at(*origin), at(*destination), direct_modes=frozenset())
    ranked = planner.plan(asked, catalogue)
    with monkeypatch.context() as patched:
        patched.setattr(StreetRouter, "durations_between", exact_matrix)
        exact = planner.plan(asked, catalogue)
    assert ranked == exact
    ride = [leg for it in ranked.itineraries for leg in it.legs if leg.mode is LegMode.BIKE_SHARE]
    assert len(ride) == 1


def test_estimates_equal_exact_durations_to_rounding(planner: TripPlanner) -> None:
    bike = planner.network.router(Mode.BIKE)
    starts = [bike.snap(*at(*p)) for p in PICKUPS]
    ends = [bike.snap(*at(*p)) for p in DROPOFFS] + [starts[0]]
    estimated = bike.durations_between(starts, ends)
    exact = exact_matrix(bike, starts, ends)
    assert np.allclose(estimated, exact, rtol=1e-12, atol=1e-9)
    assert estimated[0, -1] == exact[0, -1] == 0.0  # one point: answered exactly
