"""Demand: periods, OD CSV import and its errors, centroids on the graph, the gravity model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from routing.street.compile import compile_graph
from routing.street.modes import Mode
from routing.traffic.demand import (
    DEFAULT_PERIODS,
    DemandError,
    ExponentialDeterrence,
    Period,
    PowerDeterrence,
    Zone,
    gravity_model,
    od_matrix_from_csv,
    read_zones_csv,
    zone_nodes,
    zone_travel_times_s,
)
from tests.routing.grids import grid_graph, node_id, position

ZONES = "zone_id,lat,lon\nmairie,48.8240,2.2730\ngare,48.8330,2.2680\nfort,48.8180,2.2580\n"
TRIPS = (
    "origin,destination,period,trips\n"
    "mairie,gare,morning_peak,120\n"
    "gare,mairie,morning_peak,80\n"
    "fort,gare,evening_peak,30.5\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_periods_know_their_length_and_hours() -> None:
    morning, evening, off_peak = DEFAULT_PERIODS
    assert (morning.duration_h, evening.duration_h, off_peak.duration_h) == (2.0, 2.0, 8.0)
    assert morning.contains(dt.time(7, 30)) and not morning.contains(dt.time(9))
    night = Period("night", dt.time(22), dt.time(6))
    assert night.duration_h == 8.0
    assert (
        night.contains(dt.time(23, 15))
        and night.contains(dt.time(2))
        and not night.contains(dt.time(12))
    )


def test_od_matrix_reads_zones_and_trips_per_period(tmp_path: Path) -> None:
    od = od_matrix_from_csv(
        write(tmp_path, "zones.csv", ZONES), write(tmp_path, "trips.csv", TRIPS)
    )
    assert [z.zone_id for z in od.zones] == ["mairie", "gare", "fort"]
    assert od.trips["morning_peak"][0, 1] == 120 and od.trips["morning_peak"][1, 0] == 80
    assert od.trips["evening_peak"][2, 1] == 30.5
    assert not od.trips["off_peak"].any()
    np.testing.assert_allclose(od.hourly_veh_h("morning_peak"), od.trips["morning_peak"] / 2)
    with pytest.raises(DemandError, match="period 'noon' does not exist; accepted: morning_peak"):
        od.hourly_veh_h("noon")


@pytest.mark.parametrize(
    ("zones", "trips", "messages"),
    [
        pytest.param(
            ZONES,
            TRIPS + "mairie,gare,morning_peak,-4\nmairie,fort,lunch,3\nmairie,nowhere,off_peak,x\n",
            [
                "trips.csv line 5: mairie->gare in morning_peak already given on line 2",
                "trips.csv line 6: period 'lunch' unknown; accepted: morning_peak, evening_peak",
                "trips.csv line 7: destination 'nowhere' is not a zone of the zones file",
                "trips.csv line 7: trips 'x' is not a number from 0 to 100,000",
            ],
            id="trips",
        ),
        pytest.param(
            ZONES,
            "origin,destination,period,trips\nmairie,gare,morning_peak,-4\n",
            ["trips.csv line 2: trips '-4' is not a number from 0 to 100,000"],
            id="negative",
        ),
        pytest.param(
            ZONES,
            "origin,destination,period,trips\nmairie,gare,morning_peak,1e308\n"
            "mairie,fort,morning_peak,100000.5\nfort,gare,morning_peak,inf\n",
            [
                "trips.csv line 2: trips '1e308' is not a number from 0 to 100,000",
                "trips.csv line 3: trips '100000.5' is not a number from 0 to 100,000",
                "trips.csv line 4: trips 'inf' is not a number from 0 to 100,000",
            ],
            id="beyond-the-range",
        ),
        pytest.param(
            ZONES + "gare,48.8,2.2\nport,2.26,181\n",
            TRIPS,
            [
                "zones.csv line 5: zone_id 'gare' already given on line 3",
                "zones.csv line 6: lon '181' is not a longitude in [-180, 180]",
            ],
            id="zones",
        ),
        pytest.param(
            "zone,lat,lon\nmairie,48.8,2.2\n",
            TRIPS,
            ["zones.csv line 1: missing column(s) zone_id"],
            id="header",
        ),
        pytest.param("zone_id,lat,lon\n", TRIPS, ["zones.csv: no zones"], id="empty"),
    ],
)
def test_bad_csv_lines_are_named_with_their_values(
    tmp_path: Path, zones: str, trips: str, messages: list[str]
) -> None:
    with pytest.raises(DemandError) as caught:
        od_matrix_from_csv(write(tmp_path, "zones.csv", zones), write(tmp_path, "trips.csv", trips))
    text = str(caught.value)
    for message in messages:
        assert message in text
    assert all(any(m in p for p in caught.value.problems) for m in messages)


def test_a_missing_file_is_a_demand_error(tmp_path: Path) -> None:
    with pytest.raises(DemandError, match="cannot open"):
        read_zones_csv(tmp_path / "absent.csv")


def test_centroids_snap_to_the_nearest_node_or_say_how_far_they_are() -> None:
    compact = compile_graph(grid_graph(speed_kmh=30.0), Mode.DRIVE, contract=False)
    zones = [Zone("sw", *position(0.1, -0.1)), Zone("ne", *position(1.9, 2.2))]
    nodes = zone_nodes(zones, compact)
    assert [int(compact.node_osm_id[n]) for n in nodes] == [node_id(0, 0), node_id(2, 2)]
    times_s = zone_travel_times_s(compact.indptr, compact.heads, compact.duration_s, nodes)
    assert times_s[0, 1] == pytest.approx(400 / (30 / 3.6), rel=1e-3)  # four 100 m blocks
    assert times_s[0, 0] == 0.0
    far = [Zone("versailles", 48.8049, 2.1204)]
    with pytest.raises(DemandError, match=r"zone 'versailles' .* lies 10\.\d km from the drive"):
        zone_nodes(far, compact)


def test_gravity_model_matches_trip_ends_and_prefers_near_zones() -> None:
    times_s = np.array([[0, 300, 900, 1200], [300, 0, 600, 900], [900, 600, 0, 300.0]])
    times_s = np.vstack([times_s, [1200, 900, 300, 0]])
    productions = np.array([500.0, 200.0, 300.0, 0.0])
    attractions = np.array([100.0, 400.0, 250.0, 250.0])
    for deterrence in (ExponentialDeterrence(0.1), PowerDeterrence(2.0)):
        result = gravity_model(productions, attractions, times_s, deterrence=deterrence)
        assert result.converged and result.max_relative_error <= 1e-9
        np.testing.assert_allclose(result.trips.sum(1), productions, rtol=1e-8)
        np.testing.assert_allclose(result.trips.sum(0), attractions, rtol=1e-8)
        assert np.trace(result.trips) == 0.0
    # Zone 0 sends more to near zone 1 than zone 2 does, relative to the other attractions.
    trips = gravity_model(productions, attractions, times_s).trips
    assert trips[0, 1] / trips[0, 3] > trips[2, 1] / trips[2, 3]


def test_gravity_model_balancing_options_and_errors() -> None:
    times_s = np.array([[0, 600.0], [600.0, 0]])
    with pytest.raises(DemandError, match="productions total 300 but attractions total 200"):
        gravity_model(np.array([100.0, 200.0]), np.array([100.0, 100.0]), times_s)
    three = np.array([[0, 600.0, 900.0], [600.0, 0, 600.0], [900.0, 600.0, 0]])
    scaled = gravity_model(
        np.array([100.0, 200.0, 300.0]), np.array([1.0, 1.0, 1.0]), three, balance="productions"
    )
    assert scaled.converged
    np.testing.assert_allclose(scaled.trips.sum(1), [100.0, 200.0, 300.0])
    np.testing.assert_allclose(scaled.trips.sum(0), [200.0, 200.0, 200.0])
    with pytest.raises(DemandError, match=r"productions\[1\] is -5.0"):
        gravity_model(np.array([100.0, -5.0]), np.array([50.0, 45.0]), times_s)
    unreachable = np.array([[0, np.inf], [np.inf, 0]])
    with pytest.raises(DemandError, match=r"zone\(s\) \[0, 1\] have productions"):
        gravity_model(np.array([1.0, 1.0]), np.array([1.0, 1.0]), unreachable)


def test_gravity_model_reports_when_it_cannot_balance() -> None:
    # Zone 2 attracts trips only zone 0 can send, and zone 0 produces too few of them.
    times_s = np.array([[0, 300.0, 300.0], [300.0, 0, np.inf], [np.inf, 300.0, 0]])
    result = gravity_model(
        np.array([10.0, 100.0, 100.0]),
        np.array([105.0, 10.0, 95.0]),
        times_s,
        max_iterations=50,
    )
    assert not result.converged and result.iterations == 50 and result.max_relative_error > 0.01
