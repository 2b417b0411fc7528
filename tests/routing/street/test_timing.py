"""Timing profiles: the share of the limit cars drive and the delays nodes impose."""

from __future__ import annotations

import pytest

from routing.street.modes import DEFAULT_PROFILES, Mode, ModeProfile
from routing.street.timing import DEFAULT_TIMING, DRIVE_TIMING_WITHOUT_DELAYS, TimingProfile

DRIVE = DEFAULT_TIMING["drive"]


@pytest.mark.parametrize(
    ("highway", "limit_kmh", "expected_kmh"),
    [
        pytest.param("trunk", 90.0, 72.0, id="trunk"),
        pytest.param("primary", 50.0, 40.0, id="primary"),
        pytest.param("residential", 30.0, 21.0, id="residential-zone30"),
        pytest.param("service", 20.0, 10.0, id="service"),
        pytest.param(None, 50.0, 35.0, id="unknown-class"),
    ],
)
def test_cars_drive_a_share_of_the_limit_by_class(
    highway: str | None, limit_kmh: float, expected_kmh: float
) -> None:
    assert DRIVE.travel_speed_kmh(highway, limit_kmh) == pytest.approx(expected_kmh)


def test_walkers_and_cyclists_keep_their_own_speed() -> None:
    assert DEFAULT_TIMING["bike"].travel_speed_kmh("primary", 15.0) == 15.0
    assert DEFAULT_TIMING["walk"].travel_speed_kmh("footway", 4.8) == 4.8


@pytest.mark.parametrize(
    ("tags", "way", "mode", "expected_s"),
    [
        pytest.param({"highway": "traffic_signals"}, "primary", "drive", 8.0, id="lights-car"),
        pytest.param({"highway": "traffic_signals"}, "primary", "walk", 0.0, id="lights-walk"),
        pytest.param({"highway": "stop"}, "residential", "drive", 4.0, id="stop"),
        pytest.param({"highway": "give_way"}, "residential", "bike", 1.0, id="give-way-bike"),
        pytest.param(
            {"highway": "crossing", "crossing": "traffic_signals"},
            "footway",
            "walk",
            20.0,
            id="signal-crossing-walker",
        ),
        pytest.param(
            {"highway": "crossing", "crossing": "traffic_signals"},
            "secondary",
            "drive",
            4.0,
            id="signal-crossing-car",
        ),
        pytest.param({"highway": "crossing"}, "footway", "walk", 3.0, id="zebra-walker"),
        pytest.param({"highway": "crossing"}, "residential", "walk", 0.0, id="zebra-along"),
        pytest.param({"highway": "crossing", "crossing": "no"}, "footway", "walk", 0.0, id="no"),
        pytest.param({"highway": "stop"}, "footway", "bike", 0.0, id="stop-off-road"),
    ],
)
def test_node_delays(tags: dict[str, str], way: str, mode: str, expected_s: float) -> None:
    assert DEFAULT_TIMING[mode].delay_s(tags, way) == pytest.approx(expected_s)


def test_the_profile_without_delays_differs_from_the_default_by_its_delays_only() -> None:
    assert DRIVE_TIMING_WITHOUT_DELAYS.delay_s({"highway": "traffic_signals"}, "primary") == 0.0
    assert DRIVE_TIMING_WITHOUT_DELAYS.share_of_limit == DRIVE.share_of_limit


def test_a_mode_profile_takes_its_timing_or_the_default() -> None:
    assert DEFAULT_PROFILES[Mode.DRIVE].timing_profile is DRIVE
    brisk = TimingProfile(default_share=0.9)
    assert ModeProfile(Mode.DRIVE, 50.0, brisk).timing_profile is brisk


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"default_share": 1.5}, id="share-above-one"),
        pytest.param({"share_of_limit": {"primary": 0.0}}, id="share-zero"),
        pytest.param({"signals_s": -1.0}, id="negative-delay"),
    ],
)
def test_out_of_range_timing_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="accepted"):
        TimingProfile(**kwargs)  # type: ignore[arg-type]
