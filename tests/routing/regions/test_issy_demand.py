"""The default Issy demand, built from the real IDFM, RATP and Ville d'Issy open data."""

from __future__ import annotations

import csv
import gzip
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from routing.geometry import haversine_m
from routing.regions.issy_demand import (
    STUDY_BOX,
    IssyDemand,
    IssyDemandAssumptions,
    IssyDemandSources,
    issy_demand,
)
from routing.street.compile import compile_graph
from routing.street.graph import CompactGraph
from routing.street.modes import DEFAULT_PROFILES, Mode
from routing.street.readers.osm import street_graphs_from_file
from routing.traffic.demand import DemandError

MEUDON = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
# Mean weekday entries (Monday-Friday, 2024-07 to 2025-06, all fare categories) at the eight
# stop areas with validations, computed once from the file with pandas.
WEEKDAY_ENTRIES = {
    "70505": 2996.13,  # Clamart
    "70515": 1502.32,  # Meudon
    "70612": 1796.61,  # Issy
    "70671": 12947.44,  # Mairie d'Issy
    "70990": 9809.53,  # Corentin Celton
    "71016": 10621.35,  # Issy-Val-de-Seine
    "71045": 15054.12,  # Porte de Versailles
    "71054": 15814.57,  # Marcel Sembat
}
BILLANCOURT_RATP_2021 = 1_967_532  # yearly entries; no validation rows in the filtered file


def issy_grid() -> CompactGraph:
    """A two-way test grid of 300 m blocks over the Issy box (test streets, not Issy's)."""
    rows, cols = 11, 15
    graph = nx.MultiDiGraph(crs="epsg:4326", source="test grid over the Issy box")
    dlat = (STUDY_BOX.max_lat - STUDY_BOX.min_lat) / (rows - 1)
    dlon = (STUDY_BOX.max_lon - STUDY_BOX.min_lon) / (cols - 1)
    for r in range(rows):
        for c in range(cols):
            graph.add_node(
                r * 100 + c + 1, y=STUDY_BOX.min_lat + r * dlat, x=STUDY_BOX.min_lon + c * dlon
            )
    for r in range(rows):
        for c in range(cols):
            for r2, c2 in ((r + 1, c), (r, c + 1)):
                if r2 < rows and c2 < cols:
                    a, b = r * 100 + c + 1, r2 * 100 + c2 + 1
                    length = float(
                        haversine_m(
                            graph.nodes[a]["y"],
                            graph.nodes[a]["x"],
                            graph.nodes[b]["y"],
                            graph.nodes[b]["x"],
                        )
                    )
                    for u, v in ((a, b), (b, a)):
                        graph.add_edge(u, v, length=length, travel_time=length / (30 / 3.6))
    return compile_graph(graph, Mode.DRIVE, contract=False)


@pytest.fixture(scope="module")
def sources(shared_data: Path) -> IssyDemandSources:
    return IssyDemandSources.from_data_dir(shared_data)


@pytest.fixture(scope="module")
def whole_issy(sources: IssyDemandSources) -> tuple[CompactGraph, IssyDemand]:
    graph = issy_grid()
    return graph, issy_demand(graph, sources)


@pytest.fixture(scope="module")
def meudon(shared_data: Path) -> CompactGraph:
    graphs = street_graphs_from_file(shared_data / MEUDON, (Mode.DRIVE,), DEFAULT_PROFILES)
    return compile_graph(graphs[Mode.DRIVE], Mode.DRIVE, contract=False)


def test_station_zones_carry_the_weekday_entries_of_the_real_files(
    whole_issy: tuple[CompactGraph, IssyDemand],
) -> None:
    _, demand = whole_issy
    entries = demand.station_weekday_entries
    for zdc, expected in WEEKDAY_ENTRIES.items():
        assert entries[f"station:{zdc}"] == pytest.approx(expected, abs=0.01)
    # Billancourt (metro 9) falls back on RATP's 2021 yearly entries over 300 weekdays.
    assert entries["station:71034"] == pytest.approx(BILLANCOURT_RATP_2021 / 300)
    assert len(entries) == 9  # tram-only stops have no entry counts, so no zone


def test_totals_equal_the_documented_trip_ends(
    whole_issy: tuple[CompactGraph, IssyDemand],
) -> None:
    _, demand = whole_issy
    assumptions = IssyDemandAssumptions()
    # 0.23 / 0.30 / 1.1 * 0.5 vehicle trips inside the area per rail entry.
    assert assumptions.vehicles_per_entry == pytest.approx(0.23 / 0.30 / 1.1 * 0.5)
    daily = sum(demand.station_weekday_entries.values())
    for period, share in (("morning_peak", 0.22), ("evening_peak", 0.20)):
        expected = daily * share * assumptions.vehicles_per_entry
        assert demand.total_trips(period) == pytest.approx(expected, rel=1e-6)
        trips = demand.od.trips[period]
        assert np.allclose(trips.sum(axis=1), demand.productions[period], rtol=1e-6)
        assert np.trace(trips) == 0.0  # intrazonal trips load no street
        # Hourly flow is the period's trips over its two hours.
        assert demand.od.hourly_veh_h(period).sum() == pytest.approx(expected / 2)


def test_gravity_balancing_converges(whole_issy: tuple[CompactGraph, IssyDemand]) -> None:
    _, demand = whole_issy
    for period, result in demand.gravity.items():
        assert result.converged, period
        assert result.max_relative_error <= 1e-9
        attractions = demand.attractions[period]
        scaled = attractions * demand.productions[period].sum() / attractions.sum()
        assert np.allclose(result.trips.sum(axis=0), scaled, rtol=1e-6)


def test_zones_lie_inside_the_network_and_grid_zones_on_points_of_interest(
    whole_issy: tuple[CompactGraph, IssyDemand],
) -> None:
    graph, demand = whole_issy
    cells = [z for z in demand.od.zones if z.zone_id.startswith("cell:")]
    assert len(cells) >= 20
    for zone in demand.od.zones:
        assert graph.bbox.contains(zone.lat, zone.lon), zone
    assert demand.zone_nodes.shape == (len(demand.od.zones),)
    assert demand.dropped_zones == ()


def test_a_partial_extract_keeps_only_its_zones(
    meudon: CompactGraph, sources: IssyDemandSources
) -> None:
    with pytest.raises(DemandError, match=r"lie off this drive network.*restrict_to_network"):
        issy_demand(meudon, sources)
    demand = issy_demand(meudon, sources, restrict_to_network=True)
    kept = {z.zone_id for z in demand.od.zones}
    assert {"station:70515", "station:70612"} <= kept  # Meudon and Issy (RER C)
    assert "station:70671" in demand.dropped_zones  # Mairie d'Issy: east of the extract
    for zone, node in zip(demand.od.zones, demand.zone_nodes, strict=True):
        distance_m = haversine_m(zone.lat, zone.lon, meudon.node_lat[node], meudon.node_lon[node])
        assert distance_m <= 500.0
        assert meudon.bbox.contains(zone.lat, zone.lon)
    daily = sum(demand.station_weekday_entries.values())
    expected = daily * 0.22 * IssyDemandAssumptions().vehicles_per_entry
    assert demand.total_trips("morning_peak") == pytest.approx(expected, rel=1e-6)


def test_unknown_period_is_named(whole_issy: tuple[CompactGraph, IssyDemand]) -> None:
    _, demand = whole_issy
    with pytest.raises(DemandError, match=r"'night' does not exist; accepted: morning_peak"):
        demand.total_trips("night")


def test_missing_files_and_malformed_rows_are_named(
    tmp_path: Path, sources: IssyDemandSources
) -> None:
    with pytest.raises(DemandError, match="lacks the open data"):
        IssyDemandSources.from_data_dir(tmp_path)
    bad = tmp_path / "validations.csv"
    bad.write_text("jour,id_zdc,nb_vald\n2024-07-01,70671,many\n")
    broken = IssyDemandSources(sources.stations_csv, bad)
    with pytest.raises(DemandError, match=r"validations.csv: .*'many' is malformed"):
        issy_demand(issy_grid(), broken)
    headless = tmp_path / "stations.csv"
    headless.write_text("name;lat\nX;48.8\n")
    with pytest.raises(DemandError, match="missing column"):
        issy_demand(issy_grid(), IssyDemandSources(headless, sources.validations_csv))


def test_a_station_without_validations_falls_back_on_ratp_entries(
    tmp_path: Path, sources: IssyDemandSources
) -> None:
    # The real validations without Mairie d'Issy's rows: RATP's 2021 entries stand in.
    filtered = tmp_path / "validations.csv.gz"
    with gzip.open(sources.validations_csv, "rt", encoding="utf-8") as source:
        rows = [row for row in csv.reader(source)]
    with gzip.open(filtered, "wt", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows(r for r in rows if r[5] != "70671")
    demand = issy_demand(
        issy_grid(),
        IssyDemandSources(
            sources.stations_csv, filtered, sources.ratp_entries_csv, sources.poi_json
        ),
    )
    assert demand.station_weekday_entries["station:70671"] == pytest.approx(2_874_138 / 300)
    assert math.isclose(
        demand.station_weekday_entries["station:70990"], WEEKDAY_ENTRIES["70990"], abs_tol=0.01
    )


def test_assumptions_without_a_share_per_period_are_refused(sources: IssyDemandSources) -> None:
    assumptions = IssyDemandAssumptions(period_share={"morning_peak": 0.22})
    with pytest.raises(DemandError, match=r"accepted: a share in \(0, 1\] for each of"):
        issy_demand(issy_grid(), sources, assumptions=assumptions)
