"""A planner signs in and reads the hotspots of a traffic run, on the map, in the table and
in the exports."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from marketplace.clock import PARIS
from routing.traffic.scenarios import ScenarioError, apply_edits, remove_lane
from tests.marketplace.helpers import wait_until
from tests.web.browser import EMAIL, PASSWORD, Tab, WebServer, sign_in_to_the_dashboard

pytestmark = pytest.mark.browser


# Four zones in the west Issy + Meudon extract and a heavy morning peak between them.
ZONES = "zone_id,lat,lon\na,48.8091,2.2563\nb,48.8193,2.2400\nc,48.8125,2.2385\nd,48.8166,2.2412\n"
TRIPS = "origin,destination,period,trips\n" + "".join(
    f"{o},{d},morning_peak,{n}\n"
    for o, d, n in [
        ("a", "b", 1800), ("b", "a", 900), ("c", "d", 1500),
        ("d", "c", 1200), ("a", "c", 800), ("b", "d", 700),
    ]
)  # fmt: skip


@pytest.fixture(scope="module")
def traffic_run(web_server: WebServer) -> str:
    web_server.person(EMAIL, PASSWORD, role="planner", name="Urbaniste")
    token: str = web_server.graphql(
        "mutation In($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
        {"e": EMAIL, "p": PASSWORD},
    )["signIn"]["token"]
    web_server.graphql(
        "mutation D($z: String!, $t: String!) { importDemand(zonesCsv: $z, tripsCsv: $t) "
        "{ __typename } }",
        {"z": ZONES, "t": TRIPS},
        key=token,
    )
    job = web_server.graphql(
        'mutation { runAssignment(period: "morning_peak", demandSource: IMPORTED, '
        "minVolumeCapacity: 0.5) { id } }",
        key=token,
    )["runAssignment"]
    # The mutation queues a job; the server's own worker thread runs it.
    deadline = time.monotonic() + 300
    while True:
        done = web_server.graphql(
            "query J($id: ID!) { job(id: $id) { status error { message } run { hotspotCount } } }",
            {"id": job["id"]},
            key=token,
        )["job"]
        if done["status"] not in {"QUEUED", "RUNNING"}:
            break
        assert time.monotonic() < deadline, done
        time.sleep(0.1)
    assert done["status"] == "SUCCEEDED", done
    assert done["run"]["hotspotCount"] >= 1
    web_server.graphql(
        "mutation R($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }",
        {
            "input": {
                "category": "ROADWORKS",
                "description": "Chaussée rétrécie devant l'école",
                "latitude": 48.8126,
                "longitude": 2.2466,
            }
        },
        key=token,
    )
    return token


PLAN = """query P($o: PlanLocationInput!, $d: PlanLocationInput!, $w: PlanDateTimeInput) {
  plan(origin: $o, destination: $d, dateTime: $w) { edges { cursor } } }"""


def plan_trips_next_monday_morning(web_server: WebServer, count: int) -> None:
    """``count`` trips planned as the plan page plans them, each between different places."""
    today = dt.datetime.now(PARIS).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    when = dt.datetime.combine(monday, dt.time(8, 0), tzinfo=PARIS).isoformat()
    for i in range(count):
        planned = web_server.graphql(
            PLAN,
            {
                "o": {"coordinate": {"latitude": 48.8150, "longitude": 2.2420 + 0.006 * i}},
                "d": {"coordinate": {"latitude": 48.8240, "longitude": 2.2520}},
                "w": {"earliestDeparture": when},
            },
        )
        assert planned["plan"]["edges"], planned


def pick_street(tab: Tab, *names: str) -> str:
    """Click the first of ``names`` that shows inside the dashboard's map (a real mouse click).

    The map pans to a hotspot with an animation, so this waits until one of the streets is in
    view rather than reading positions once. Returns the street clicked.
    """
    tab.page.locator("#planner-map").scroll_into_view_if_needed()
    found = tab.page.wait_for_function(
        """(names) => {
            const map = document.getElementById('planner-map').getBoundingClientRect();
            for (const name of names) {
                const paths = document.querySelectorAll(`#planner-map path[data-street="${name}"]`);
                for (const path of paths) {
                    const length = path.getTotalLength();
                    if (!length) continue;
                    const at = path.getPointAtLength(length / 2);
                    const m = path.getScreenCTM();
                    const x = at.x * m.a + at.y * m.c + m.e;
                    const y = at.x * m.b + at.y * m.d + m.f;
                    const inside = x > map.left + 40 && x < map.right - 10;
                    if (inside && y > map.top + 10 && y < map.bottom - 10) {
                        return { name, x, y };
                    }
                }
            }
            return null;
        }""",
        arg=list(names),
        timeout=15_000,
    )
    point = found.json_value()
    tab.page.mouse.click(point["x"], point["y"])
    return str(point["name"])


def hotspot_streets(tab: Tab, rank: int) -> list[str]:
    """The street names the hotspot table lists for hotspot ``rank``."""
    row = tab.page.locator(".hotspot-table tbody tr").nth(rank - 1)
    listed = row.locator("th").inner_text().replace("…", "")
    return [name.strip() for name in listed.split(",") if name.strip()]


def one_lane_hotspot_street(tab: Tab, web_server: WebServer) -> tuple[int, str]:
    """The first hotspot (rank) listing a street that cannot lose a lane, and that street, as
    the served engine's scenario check answers (``apply_edits``: no assignment run)."""
    graph = web_server.app.state.planning.network().router("drive").graph
    capacity = np.ones(graph.edge_count)
    for rank in range(1, tab.page.locator(".hotspot-table tbody tr").count() + 1):
        for name in hotspot_streets(tab, rank):
            try:
                apply_edits(graph, capacity, [remove_lane(name)])
            except ScenarioError as exc:
                if exc.reason == "ONE_LANE":
                    return rank, name
    raise AssertionError("no hotspot lists a street with one lane in a direction")


def test_planner_dashboard_shows_hotspots_and_exports(
    tab: Tab, traffic_run: str, web_server: WebServer
) -> None:
    # Three trips planned from three places: each cell pair is below the privacy minimum, yet
    # the chart of planned trips counts all three (beside those other tests planned).
    total = '{ demandMatrix(period: "morning_peak") { totalTrips cells { trips } } }'
    # Planned trips are counted in memory and written about once a second: write them now.
    demand = web_server.app.state.demand
    demand.flush()
    before = web_server.graphql(total, key=traffic_run)["demandMatrix"]["totalTrips"]
    plan_trips_next_monday_morning(web_server, 3)
    after: dict[str, Any] = {}

    def counted() -> bool:
        demand.flush()
        after.update(web_server.graphql(total, key=traffic_run)["demandMatrix"])
        return bool(after["totalTrips"] >= before + 3)

    wait_until(counted, what="the three planned trips in the demand matrix", timeout_s=30)
    assert after["totalTrips"] == before + 3
    assert sum(cell["trips"] for cell in after["cells"]) < after["totalTrips"]
    page = tab.page
    sign_in_to_the_dashboard(tab)
    page.wait_for_selector("#planner-map[data-hotspots]")
    assert int(page.get_attribute("#planner-map", "data-hotspots")) >= 1
    assert int(page.get_attribute("#planner-map", "data-segments")) >= 1
    rows = page.locator("table.hotspot-table tbody tr")
    assert rows.count() >= 1
    assert rows.first.locator("td").first.inner_text() == "1"
    assert re.search(r"\d+ points? noirs?,", page.get_by_role("status").first.inner_text())
    tab.screenshot("planner-dashboard")
    tab.assert_accessible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger hotspots.csv").click()
    path = download.value.path()
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        assert handle.readline().startswith("Rang,Période,Rues")  # the reader's language

    page.get_by_role("button", name="Voir le point noir 1 sur la carte").click()
    page.wait_for_selector("#planner-map[data-incidents='1']")
    assert page.locator(".runs-table tbody tr").count() >= 1
    morning = page.locator(".bar-chart tr", has_text="Pointe du matin")
    morning.wait_for()
    assert morning.locator("td").inner_text().strip() == str(before + 3)

    # Streets are picked by clicking them on the map; none picked is said on the form.
    scenario = page.locator("form", has=page.get_by_role("heading", name="Comparer un scénario"))
    scenario.get_by_role("button", name="Calculer le scénario").click()
    assert "cliquant dessus" in scenario.locator(".form-error").inner_text()
    # A street that cannot lose a lane says so in words.
    scenario.get_by_label("Modification").select_option("removeLaneStreets")
    # Show a hotspot holding a street with one lane in a direction (which hotspots there are
    # follows the run's car times: the engine, not the test, says which street that is).
    rank, street = one_lane_hotspot_street(tab, web_server)
    page.get_by_role("button", name=f"Voir le point noir {rank} sur la carte").click()
    pick_street(tab, street)
    scenario.get_by_text("1 rue choisie.").wait_for()
    scenario.get_by_role("button", name="Calculer le scénario").click()
    assert "n'a qu'une voie dans ce sens" in scenario.locator(".error").inner_text()

    # Close a street of hotspot 2 instead (its chip takes the other back) and compare.
    scenario.get_by_role("button", name=f"Retirer {street}").click()
    scenario.get_by_label("Modification").select_option("closeStreets")
    page.get_by_role("button", name="Voir le point noir 2 sur la carte").click()
    # A closure the network cannot absorb is refused in words; then try the next street.
    outcome = page.locator(".scenario-result")
    candidates = hotspot_streets(tab, 2)
    while True:
        closed = pick_street(tab, *candidates)
        chips = scenario.locator(".chip")
        chips.first.wait_for()
        assert [c.strip() for c in chips.all_text_contents()] == [f"{closed} ×"]
        tab.screenshot("planner-pick-streets")
        scenario.get_by_role("button", name="Calculer le scénario").click()
        try:
            # A scenario is a whole assignment: give a loaded machine its time.
            outcome.wait_for(timeout=90_000)
            break
        except PlaywrightTimeoutError:
            assert scenario.locator(".error").inner_text().strip(), "a refusal says why"
        candidates.remove(closed)
        assert candidates, "no street of hotspot 2 could be closed"
        scenario.get_by_role("button", name=f"Retirer {closed}").click()
    assert "véh·h" in outcome.inner_text()
    # The scenario's run joins the runs table.
    page.locator(".runs-table tbody tr").filter(has_text="Scénario").filter(
        has_text=closed
    ).first.wait_for()
    tab.screenshot("planner-scenario")


def test_run_the_assignment_from_the_dashboard(tab: Tab, traffic_run: str) -> None:
    page = tab.page
    sign_in_to_the_dashboard(tab)
    page.wait_for_selector("#planner-map[data-refreshes='1']")
    form = page.locator("form", has=page.get_by_role("heading", name="Lancer l’affectation"))
    assert form.get_by_label("Période").input_value() == "morning_peak"
    # The Issy default demand is preselected: it needs nothing imported.
    assert form.get_by_label("demande par défaut d’Issy").is_checked()
    assert not form.get_by_label("matrice importée").is_checked()

    # No demand source: said on the form, nothing runs.
    form.get_by_label("demande par défaut d’Issy").uncheck()
    form.get_by_role("button", name="Lancer l’affectation").click()
    assert "au moins une source" in form.locator(".form-error").inner_text()

    # By keyboard: tick the imported matrix again, set the threshold, run.
    form.get_by_label("matrice importée").focus()
    page.keyboard.press("Space")
    assert form.get_by_label("matrice importée").is_checked()
    form.get_by_label("Seuil volume/capacité des points noirs").fill("0.5")
    form.get_by_role("button", name="Lancer l’affectation").focus()
    page.keyboard.press("Enter")
    result = form.locator(".assignment-result")
    result.wait_for(timeout=120_000)
    text = result.inner_text()
    assert "Calcul convergé" in text, text
    assert "Écart relatif" in text and "Itérations" in text
    assert result.get_attribute("data-converged") == "true"
    run_id = result.get_attribute("data-run-id")

    # The dashboard is drawn again: the new run heads the runs table, hotspots are listed.
    page.wait_for_selector("#planner-map[data-refreshes='2']")
    newest = page.locator(".runs-table tbody tr").first
    assert newest.get_attribute("data-run-id") == run_id
    assert "Situation de référence (affiché)" in newest.inner_text()
    assert int(page.get_attribute("#planner-map", "data-hotspots")) >= 1
    assert page.locator("table.hotspot-table tbody tr").count() >= 1
    tab.screenshot("planner-assignment", full_page=True)
    tab.assert_accessible()


def test_planner_dashboard_needs_a_planner(tab: Tab) -> None:
    tab.goto("#/planner")
    tab.page.get_by_text("réservé aux urbanistes").wait_for()
