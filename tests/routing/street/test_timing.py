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
    ("tags", "way", "mode", "delay"),
    [
        pytest.param(
            {"highway": "traffic_signals"}, "primary", "drive", "signals_s", id="lights-car"
        ),
        pytest.param({"highway": "traffic_signals"}, "primary", "walk", None, id="lights-walk"),
        pytest.param({"highway": "stop"}, "residential", "drive", "stop_s", id="stop"),
        pytest.param(
            {"highway": "give_way"}, "residential", "bike", "give_way_s", id="give-way-bike"
        ),
        pytest.param(
            {"highway": "crossing", "crossing": "traffic_signals"},
            "footway",
            "walk",
            "signal_crossing_s",
            id="signal-crossing-walker",
        ),
        pytest.param(
            {"highway": "crossing", "crossing": "traffic_signals"},
            "secondary",
            "drive",
            "signal_crossing_on_road_s",
            id="signal-crossing-car",
        ),
        pytest.param({"highway": "crossing"}, "footway", "walk", "crossing_s", id="zebra-walker"),
        pytest.param({"highway": "crossing"}, "residential", "walk", None, id="zebra-along"),
        pytest.param(
            {"highway": "crossing"}, "residential", "bike", "crossing_on_road_s", id="zebra-bike"
        ),
        pytest.param({"highway": "crossing", "crossing": "no"}, "footway", "walk", None, id="no"),
        pytest.param({"highway": "stop"}, "footway", "bike", None, id="stop-off-road"),
    ],
)
def test_node_delays(tags: dict[str, str], way: str, mode: str, delay: str | None) -> None:
    # Each node binds the mode through the delay its kind names (None: it does not bind it),
    # and every delay that binds is a real wait, never free.
    timing = DEFAULT_TIMING[mode]
    expected_s = 0.0 if delay is None else getattr(timing, delay)
    assert timing.delay_s(tags, way) == pytest.approx(expected_s)
    assert delay is None or expected_s > 0.0


def test_lights_hold_cars_as_long_as_stops_and_signs_longer_than_zebras() -> None:
    # The order the table documents: a light's wait, then a stop, a give-way, a zebra on
    # the road (where vehicles mostly find nobody waiting); cyclists give way at zebras too.
    # With turn costs on by default (issue 17), lights came down to OSRM's 2 s, its stop's
    # (4 s put the drive median 1.116x OSRM's on identical paths, 2 s 1.087x).
    assert DRIVE.signals_s == DRIVE.stop_s == 2.0
    assert DRIVE.stop_s > DRIVE.give_way_s > DRIVE.crossing_on_road_s > 0
    assert DRIVE.signals_s == DRIVE.signal_crossing_on_road_s > DRIVE.crossing_on_road_s
    assert DEFAULT_TIMING["bike"].crossing_on_road_s == DRIVE.crossing_on_road_s


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
