"""OSM tag rules per mode: which ways, which directions, how fast."""

from __future__ import annotations

import pytest

from routing.street.modes import (
    BIKE_DISMOUNTED_SPEED_KMH,
    DEFAULT_PROFILES,
    EdgeRule,
    Mode,
    ModeProfile,
    parse_maxspeed_kmh,
    travel_rules,
)

WALK, BIKE, DRIVE = Mode.WALK, Mode.BIKE, Mode.DRIVE
BOTH, FORWARD, BACKWARD = (True, True), (True, False), (False, True)


def directions(tags: dict[str, str], mode: Mode) -> tuple[bool, bool] | None:
    rule = travel_rules(tags, mode, DEFAULT_PROFILES[mode])
    return None if rule is None else (rule.forward, rule.backward)


@pytest.mark.parametrize(
    ("tags", "mode", "expected"),
    [
        pytest.param({"highway": "residential"}, DRIVE, BOTH, id="residential-two-way"),
        pytest.param({"highway": "residential", "oneway": "yes"}, DRIVE, FORWARD, id="oneway-yes"),
        pytest.param({"highway": "residential", "oneway": "1"}, DRIVE, FORWARD, id="oneway-1"),
        pytest.param({"highway": "residential", "oneway": "-1"}, DRIVE, BACKWARD, id="oneway-m1"),
        pytest.param({"highway": "residential", "oneway": "no"}, DRIVE, BOTH, id="oneway-no"),
        pytest.param(
            {"highway": "primary", "junction": "roundabout"}, DRIVE, FORWARD, id="roundabout"
        ),
        pytest.param({"highway": "primary", "junction": "circular"}, DRIVE, FORWARD, id="circular"),
        pytest.param({"highway": "motorway"}, DRIVE, FORWARD, id="motorway-implied-oneway"),
        pytest.param(
            {"highway": "residential", "oneway": "reversible"}, DRIVE, None, id="reversible"
        ),
        pytest.param({"highway": "service"}, DRIVE, BOTH, id="service"),
        pytest.param(
            {"highway": "service", "service": "parking_aisle"}, DRIVE, BOTH, id="parking-aisle"
        ),
        pytest.param({"highway": "service", "service": "driveway"}, DRIVE, None, id="driveway"),
        pytest.param({"highway": "footway"}, DRIVE, None, id="footway"),
        pytest.param({"highway": "cycleway"}, DRIVE, None, id="cycleway"),
        pytest.param({"highway": "pedestrian"}, DRIVE, None, id="pedestrian"),
        pytest.param({"highway": "steps"}, DRIVE, None, id="steps"),
        pytest.param({"highway": "track"}, DRIVE, None, id="track"),
        pytest.param(
            {"highway": "track", "motor_vehicle": "yes"}, DRIVE, BOTH, id="track-motor-yes"
        ),
        pytest.param({"highway": "residential", "access": "no"}, DRIVE, None, id="access-no"),
        pytest.param(
            {"highway": "residential", "access": "private"}, DRIVE, None, id="access-private"
        ),
        pytest.param(
            {"highway": "residential", "access": "destination"}, DRIVE, BOTH, id="destination"
        ),
        pytest.param(
            {"highway": "residential", "motor_vehicle": "no"}, DRIVE, None, id="motor-vehicle-no"
        ),
        pytest.param({"highway": "residential", "motorcar": "no"}, DRIVE, None, id="motorcar-no"),
        pytest.param(
            {"highway": "residential", "access": "no", "motorcar": "yes"},
            DRIVE,
            BOTH,
            id="specific-tag-wins",
        ),
        pytest.param({"highway": "construction"}, DRIVE, None, id="construction"),
        pytest.param({"building": "yes"}, DRIVE, None, id="no-highway"),
    ],
)
def test_drive_access_and_directions(
    tags: dict[str, str], mode: Mode, expected: tuple[bool, bool] | None
) -> None:
    assert directions(tags, mode) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        pytest.param({"highway": "residential"}, BOTH, id="residential"),
        pytest.param({"highway": "cycleway"}, BOTH, id="cycleway"),
        pytest.param({"highway": "path"}, BOTH, id="path"),
        pytest.param({"highway": "track"}, BOTH, id="track"),
        pytest.param({"highway": "living_street"}, BOTH, id="living-street"),
        pytest.param({"highway": "footway"}, None, id="footway"),
        pytest.param({"highway": "footway", "bicycle": "yes"}, BOTH, id="footway-bicycle-yes"),
        pytest.param(
            {"highway": "footway", "bicycle": "designated"}, BOTH, id="footway-designated"
        ),
        pytest.param({"highway": "pedestrian"}, BOTH, id="pedestrian"),
        pytest.param({"highway": "pedestrian", "bicycle": "no"}, None, id="pedestrian-no"),
        pytest.param({"highway": "steps"}, None, id="steps"),
        pytest.param({"highway": "steps", "bicycle": "yes"}, None, id="steps-bicycle-yes"),
        pytest.param({"highway": "motorway"}, None, id="motorway"),
        pytest.param({"highway": "trunk"}, None, id="trunk"),
        pytest.param({"highway": "trunk_link"}, None, id="trunk-link"),
        pytest.param({"highway": "trunk", "bicycle": "yes"}, BOTH, id="trunk-bicycle-yes"),
        pytest.param({"highway": "residential", "bicycle": "no"}, None, id="bicycle-no"),
        pytest.param({"highway": "residential", "access": "no"}, None, id="access-no"),
        pytest.param(
            {"highway": "residential", "access": "no", "bicycle": "yes"},
            BOTH,
            id="access-no-bicycle-yes",
        ),
        pytest.param({"highway": "cycleway", "oneway": "yes"}, FORWARD, id="oneway-cycleway"),
        pytest.param({"highway": "residential", "oneway": "yes"}, FORWARD, id="oneway-binds"),
        pytest.param({"highway": "residential", "oneway": "-1"}, BACKWARD, id="oneway-m1-binds"),
        pytest.param(
            {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"},
            BOTH,
            id="oneway-bicycle-no",
        ),
        pytest.param(
            {"highway": "residential", "oneway": "-1", "oneway:bicycle": "no"},
            BOTH,
            id="oneway-m1-bicycle-no",
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes", "cycleway": "opposite"},
            BOTH,
            id="cycleway-opposite",
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"},
            BOTH,
            id="cycleway-opposite-lane",
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes", "cycleway:left": "opposite_track"},
            BOTH,
            id="cycleway-left-opposite-track",
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes", "cycleway:both": "opposite_lane"},
            BOTH,
            id="cycleway-both-opposite",
        ),
        pytest.param(
            {
                "highway": "residential",
                "oneway": "yes",
                "cycleway:left": "lane",
                "cycleway:left:oneway": "-1",
            },
            BOTH,
            id="contraflow-lane-modern",
        ),
        pytest.param(
            {"highway": "residential", "oneway": "yes", "cycleway:right": "lane"},
            FORWARD,
            id="with-flow-lane-binds",
        ),
        pytest.param(
            {"highway": "primary", "junction": "roundabout"}, FORWARD, id="roundabout-binds"
        ),
        pytest.param(
            {"highway": "residential", "oneway": "reversible"}, BOTH, id="reversible-open"
        ),
    ],
)
def test_bike_access_and_directions(tags: dict[str, str], expected: tuple[bool, bool]) -> None:
    assert directions(tags, BIKE) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        pytest.param({"highway": "footway"}, BOTH, id="footway"),
        pytest.param({"highway": "footway", "footway": "crossing"}, BOTH, id="crossing"),
        pytest.param({"highway": "path"}, BOTH, id="path"),
        pytest.param({"highway": "pedestrian"}, BOTH, id="pedestrian"),
        pytest.param({"highway": "steps"}, BOTH, id="steps"),
        pytest.param({"highway": "living_street"}, BOTH, id="living-street"),
        pytest.param({"highway": "primary"}, BOTH, id="primary"),
        pytest.param({"highway": "service"}, BOTH, id="service"),
        pytest.param({"highway": "residential", "oneway": "yes"}, BOTH, id="ignores-oneway"),
        pytest.param({"highway": "residential", "oneway": "-1"}, BOTH, id="ignores-oneway-m1"),
        pytest.param(
            {"highway": "primary", "junction": "roundabout"}, BOTH, id="ignores-roundabout"
        ),
        pytest.param({"highway": "motorway"}, None, id="motorway"),
        pytest.param({"highway": "motorway_link"}, None, id="motorway-link"),
        pytest.param({"highway": "trunk"}, None, id="trunk"),
        pytest.param({"highway": "trunk", "foot": "yes"}, BOTH, id="trunk-foot-yes"),
        pytest.param({"highway": "trunk", "sidewalk": "both"}, BOTH, id="trunk-sidewalk"),
        pytest.param({"highway": "trunk_link", "access": "yes"}, BOTH, id="trunk-link-access-yes"),
        pytest.param(
            {"highway": "trunk_link", "access": "yes", "foot": "no"}, None, id="access-yes-foot-no"
        ),
        pytest.param({"highway": "motorway", "access": "yes"}, None, id="motorway-access-yes"),
        pytest.param({"highway": "footway", "foot": "no"}, None, id="foot-no"),
        pytest.param({"highway": "residential", "access": "no"}, None, id="access-no"),
        pytest.param(
            {"highway": "residential", "access": "no", "foot": "yes"},
            BOTH,
            id="access-no-foot-yes",
        ),
        pytest.param({"highway": "residential", "access": "private"}, None, id="private"),
        pytest.param({"highway": "pedestrian", "area": "yes"}, None, id="area"),
        pytest.param({"highway": "proposed"}, None, id="proposed"),
    ],
)
def test_walk_access_and_directions(tags: dict[str, str], expected: tuple[bool, bool]) -> None:
    assert directions(tags, WALK) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("50", 50.0, id="plain"),
        pytest.param("30 mph", 30 * 1.609344, id="mph"),
        pytest.param("70 km/h", 70.0, id="kmh-unit"),
        pytest.param("FR:urban", 50.0, id="fr-urban"),
        pytest.param("FR:rural", 80.0, id="fr-rural"),
        pytest.param("FR:zone30", 30.0, id="fr-zone30"),
        pytest.param("FR:walk", 20.0, id="fr-walk"),
        pytest.param("FR:motorway", 130.0, id="fr-motorway"),
        pytest.param("50;30", 30.0, id="lowest-of-several"),
        pytest.param("none", None, id="none"),
        pytest.param("signals", None, id="signals"),
        pytest.param("fast", None, id="garbage"),
        pytest.param("0", None, id="zero"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_parse_maxspeed_kmh(value: str | None, expected: float | None) -> None:
    assert parse_maxspeed_kmh(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("tags", "expected_kmh"),
    [
        pytest.param({"highway": "primary", "maxspeed": "30"}, 30.0, id="maxspeed-wins"),
        pytest.param({"highway": "residential"}, 50.0, id="urban-default"),
        pytest.param({"highway": "motorway"}, 90.0, id="motorway-default"),
        pytest.param({"highway": "trunk"}, 70.0, id="trunk-default"),
        pytest.param({"highway": "living_street"}, 20.0, id="living-street"),
        pytest.param({"highway": "service"}, 20.0, id="service"),
        pytest.param(
            {"highway": "residential", "zone:maxspeed": "FR:30"}, 30.0, id="zone-maxspeed"
        ),
        pytest.param(
            {"highway": "residential", "maxspeed:type": "FR:zone30"}, 30.0, id="maxspeed-type"
        ),
        pytest.param({"highway": "residential", "maxspeed": "FR:walk"}, 20.0, id="fr-walk"),
        pytest.param({"highway": "primary", "maxspeed": "none"}, 50.0, id="none-falls-back"),
        pytest.param({"highway": "road"}, 50.0, id="unknown-class-profile-speed"),
    ],
)
def test_drive_speeds(tags: dict[str, str], expected_kmh: float) -> None:
    rule = travel_rules(tags, DRIVE, DEFAULT_PROFILES[DRIVE])
    assert rule is not None
    assert rule.speed_kmh == pytest.approx(expected_kmh)


def test_walk_and_bike_use_profile_speeds() -> None:
    slow_walk = ModeProfile(WALK, 3.0)
    fast_bike = ModeProfile(BIKE, 22.0)
    assert travel_rules({"highway": "steps"}, WALK, slow_walk) == EdgeRule(True, True, 3.0)
    assert travel_rules({"highway": "cycleway"}, BIKE, fast_bike) == EdgeRule(True, True, 22.0)


def test_bike_rides_pedestrian_zones_at_walking_pace_unless_signposted() -> None:
    profile = DEFAULT_PROFILES[BIKE]
    plain = travel_rules({"highway": "pedestrian"}, BIKE, profile)
    signposted = travel_rules({"highway": "pedestrian", "bicycle": "designated"}, BIKE, profile)
    assert plain is not None and plain.speed_kmh == BIKE_DISMOUNTED_SPEED_KMH
    assert signposted is not None and signposted.speed_kmh == profile.speed_kmh


def test_profile_rejects_absurd_speeds() -> None:
    with pytest.raises(ValueError, match="out of range"):
        ModeProfile(WALK, 0.0)
