"""The routing benchmark's customizable-hierarchy sections on the real Meudon extract."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from routing.street.benchmark import run_routing_benchmark

SOURCE = Path("osm") / "meudon_drive_overpass_issy_west_2024-12-14.json.gz"


@pytest.mark.slow
def test_record_has_the_cch_on_the_same_pairs_and_agrees_with_the_ch(shared_data: Path) -> None:
    record = run_routing_benchmark(shared_data / SOURCE, pairs=60)
    assert record["cch_mismatches_vs_ch"] == 0
    assert record["cch_max_relative_error_vs_ch"] <= 1e-9
    assert record["mismatches_vs_networkx"] == 0
    assert record["cch_arcs"] >= record["edges"] // 2  # every street is an arc of the CCH
    for key in ("cch_order_s", "median_ms", "p95_ms", "query_ratio_vs_ch", "cch_build_cpu_s"):
        assert record[key] > 0, key
    assert record["cch_build_s"] >= record["cch_order_s"] + record["cch_chordal_s"] - 0.02
    assert record["build_s"] == record["cch_build_s"]  # issue 14's name for it
    assert 0 < record["cch_artefact_load_s"] < record["cch_build_s"]
    assert record["cch_build_cpu_s"] >= record["cch_order_cpu_s"]
    assert 0 <= record["customize_s"] < record["preprocessing_s"] + 1
    assert "routingkit_median_ms" not in record
    # The matrix section: 60 x 60 over the first sources, equal to one Dijkstra per origin.
    assert record["matrix_size"] == "60x60"
    assert record["matrix_max_relative_error_vs_dijkstra"] <= 1e-9
    assert record["matrix_60x60_ms"] > 0
    assert record["matrix_60x60_dijkstra_per_origin_ms"] > 0


def test_an_unknown_baseline_is_refused_with_the_accepted_ones(shared_data: Path) -> None:
    with pytest.raises(ValueError, match="accepted: routingkit"):
        run_routing_benchmark(shared_data / SOURCE, pairs=5, baseline="osrm")


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("routingkit_cch") is None,
    reason="routingkit-cch is the optional bench extra",
)
def test_routingkit_baseline_answers_the_same_pairs(shared_data: Path) -> None:
    record = run_routing_benchmark(shared_data / SOURCE, pairs=60, baseline="routingkit")
    assert record["routingkit_unreachable_disagreements"] == 0
    # RoutingKit sums integer milliseconds; ours sums seconds: they agree to the rounding.
    assert record["routingkit_max_relative_gap_ms_rounding"] < 1e-2
    assert record["query_ratio_vs_routingkit"] > 0
    assert record["query_ratio_vs_routingkit_interleaved"] > 0
    assert record["interleaved_routingkit_median_ms"] > 0
    assert record["routingkit_customize_s"] >= 0
    assert record["routingkit_matrix_unreachable_disagreements"] == 0
    assert record["routingkit_matrix_60x60_ms"] > 0
