"""A planner's run options out of range are refused with what is accepted, worded in the
planner's language (the dashboard's run form shows them as they come)."""

from __future__ import annotations

import pytest

from marketplace.errors import InvalidInput
from marketplace.traffic.config import TrafficConfig
from marketplace.traffic.runner import AssignmentOptions


@pytest.mark.parametrize(
    ("options", "field", "english", "french"),
    [
        pytest.param(
            AssignmentOptions(algorithm="dijkstra"),
            "algorithm",
            "algorithm 'dijkstra'; accepted: FW, CFW, BFW",
            "algorithm 'dijkstra' ; acceptés : FW, CFW, BFW",
            id="algorithm",
        ),
        pytest.param(
            AssignmentOptions(relative_gap=2.0),
            "relativeGap",
            "relativeGap 2.0; accepted: 0 < relativeGap < 1",
            "relativeGap 2.0 ; accepté : 0 < relativeGap < 1",
            id="gap",
        ),
        pytest.param(
            AssignmentOptions(max_iterations=0),
            "maxIterations",
            "maxIterations 0; accepted: 1 to 5000",
            "maxIterations 0 ; accepté : de 1 à 5000",
            id="iterations",
        ),
        pytest.param(
            AssignmentOptions(min_volume_capacity=150.0),
            "minVolumeCapacity",
            "minVolumeCapacity 150.0; accepted: 0 to 100",
            "minVolumeCapacity 150.0 ; accepté : de 0 à 100",
            id="min-volume-capacity",
        ),
    ],
)
def test_options_out_of_range_are_worded_for_the_planner(
    options: AssignmentOptions, field: str, english: str, french: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        options.checked(TrafficConfig(max_iterations=5000))
    assert refused.value.details == {"field": field}
    assert refused.value.message == english
    assert refused.value.localized("fr") == french


def test_options_in_range_pass() -> None:
    options = AssignmentOptions(algorithm="fw", relative_gap=1e-3, max_iterations=10)
    assert options.checked(TrafficConfig(max_iterations=5000)) is options
