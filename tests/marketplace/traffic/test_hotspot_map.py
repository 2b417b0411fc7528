"""The hotspot PNG: titled in the caller's language, framed on Issy's hotspots."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.requests import Request

from marketplace.http.language import preferred_language
from marketplace.streets import StreetsState
from marketplace.traffic.hotspot_map import ISSY_FRAME, hotspot_frame, hotspot_map_title
from marketplace.traffic.runner import drive_graph
from routing.traffic.hotspots import Hotspot
from tests.marketplace.community_helpers import Cast
from tests.marketplace.helpers import Api
from tests.marketplace.trips import imported_run
from tests.paths import REPO_ROOT


def _request(query: str = "", accept: str | None = None) -> Request:
    headers = [(b"accept-language", accept.encode())] if accept is not None else []
    return Request({"type": "http", "query_string": query.encode(), "headers": headers})


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        pytest.param("", None, "fr", id="default-french"),
        pytest.param("", "en-GB,en;q=0.9,fr;q=0.5", "en", id="header-english"),
        pytest.param("", "de-DE, fr;q=0.4, en;q=0.8", "en", id="header-by-quality"),
        pytest.param("", "de-DE", "fr", id="header-unsupported"),
        pytest.param("lang=en", "fr-FR", "en", id="parameter-wins"),
        pytest.param("lang=xx", "en", "en", id="bad-parameter-ignored"),
    ],
)
def test_preferred_language(query: str, accept: str | None, expected: str) -> None:
    assert preferred_language(_request(query, accept)) == expected


def test_the_title_is_in_the_callers_language() -> None:
    def title(language: str, hotspots: int) -> str:
        return hotspot_map_title(
            language, period="morning_peak", hotspots=hotspots, relative_gap=1e-4, converged=True
        )

    assert title("fr", 3) == (
        "Points noirs du trafic, pointe du matin : 3 points noirs, écart relatif 1,0e-04 (convergé)"
    )
    assert title("en", 1) == (
        "Traffic hotspots, morning peak: 1 hotspot, relative gap 1.0e-04 (converged)"
    )


def _hotspot(nodes: tuple[int, ...]) -> Hotspot:
    return Hotspot(
        rank=1,
        edges=(),
        nodes=nodes,
        street_names=("Rue de Paris",),
        centroid_lat=0.0,
        centroid_lon=0.0,
        total_delay_veh_h=1.0,
        max_volume_capacity=1.2,
        length_m=100.0,
        volume_veh_h=900.0,
        period="morning_peak",
    )


def test_the_map_frames_the_hotspots_near_issy_else_issy(streets: StreetsState) -> None:
    assert streets.network is not None
    drive = drive_graph(streets.network)
    assert hotspot_frame(drive, []) == ISSY_FRAME
    inside = np.flatnonzero(
        (drive.node_lon > ISSY_FRAME[0])
        & (drive.node_lon < ISSY_FRAME[2])
        & (drive.node_lat > ISSY_FRAME[1])
        & (drive.node_lat < ISSY_FRAME[3])
    )[:3]
    west, south, east, north = hotspot_frame(drive, [_hotspot(tuple(int(n) for n in inside))])
    assert west <= drive.node_lon[inside].min() and east >= drive.node_lon[inside].max()
    assert south <= drive.node_lat[inside].min() and north >= drive.node_lat[inside].max()
    # A neighbourhood, not Grand Paris: about 1.5 km to 3 km across.
    assert 0.019 <= east - west <= 0.06 and 0.013 <= north - south <= 0.04


def test_the_png_is_titled_for_its_reader(api: Api, cast: Cast) -> None:
    imported_run(api, cast.planner)
    bearer = {"Authorization": f"Bearer {cast.planner}"}

    def png(query: str, accept: str) -> bytes:
        response = api.client.get(
            f"/traffic/morning_peak/hotspots.png{query}",
            headers={**bearer, "Accept-Language": accept},
        )
        assert response.status_code == 200, response.text
        content: bytes = response.content
        assert content.startswith(b"\x89PNG")
        return content

    english = png("", "en-GB,en;q=0.9")
    assert png("?lang=en", "fr-FR") == english
    french = png("", "fr-FR,fr;q=0.9")
    assert png("?lang=fr", "en") == french
    assert french != english
    # Kept for a reviewer to open, beside the browser tests' screenshots.
    artefacts = REPO_ROOT / "test-artifacts" / "traffic"
    artefacts.mkdir(parents=True, exist_ok=True)
    (artefacts / "hotspots-fr.png").write_bytes(french)
    (artefacts / "hotspots-en.png").write_bytes(english)
