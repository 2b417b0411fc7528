"""End-to-end fixtures: the real app on SQLite with a real street extract, driven by Playwright.

The server is uvicorn in a thread of the test process (so the street artefact cache can point
at a temporary folder) on a free port; partners are made with the ``issy-mobility partner
create`` command and everything else goes through the public GraphQL API. The browser is
Debian's ``chromium`` (``/usr/bin/chromium``), started headless by the Python ``playwright``
package; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pluggy
import pytest

from tests.conftest import REPO_ROOT
from tests.live_server import free_port, graphql_data

STREETS_FIXTURE = "osm/meudon_drive_overpass_issy_west_2024-12-14.json.gz"
CHROMIUM = os.environ.get("ISSY_CHROMIUM", "/usr/bin/chromium")
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "web"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
PHONE = {"width": 390, "height": 844}
# A made-up bus line, a test fixture only (stops on streets of the west-Issy extract, from Rue
# Lily to the north-west corner the plan tests ride to), 07:00 to 09:50 every 10 minutes, every
# day; one stop_times row is bad on purpose, for the import reports.
GTFS_FIXTURE = Path(__file__).parent / "fixtures" / "gtfs_test_bus"
DESKTOP = {"width": 1366, "height": 900}


@dataclass
class WebServer:
    """The running app: its base URL, database URL, and a GraphQL helper for seeding."""

    url: str
    database_url: str
    partners: dict[str, str] = field(default_factory=dict)

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        return graphql_data(self.url, query, variables, key=key)

    def partner_key(self, name: str, kind: str = "startup") -> str:
        """A partner's first API key, made by the operators' command line (once per name)."""
        if name not in self.partners:
            completed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "marketplace.cli",
                    "partner",
                    "create",
                    "--name",
                    name,
                    "--kind",
                    kind,
                ],
                env={**os.environ, "DATABASE_URL": self.database_url},
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            )
            key = next(
                line.split(":", 1)[1].strip()
                for line in completed.stdout.splitlines()
                if line.startswith("api key:")
            )
            self.partners[name] = key
        return self.partners[name]

    def confirmation_link(self, email: str) -> str:
        """The sign-up link in the newest message the outbox holds for ``email``."""
        from marketplace.db import Database
        from marketplace.identity.outbox import unsent_messages

        database = Database(self.database_url)
        try:
            bodies = database.call(lambda s: [m.body for m in unsent_messages(s, to=email)])
        finally:
            database.dispose()
        links = [
            line.strip() for body in bodies for line in body.splitlines() if "confirm?" in line
        ]
        assert links, f"no confirmation message for {email}"
        return links[-1]

    def resident(self, email: str, password: str, name: str) -> str:
        """A confirmed resident's session token, through the public API and the outbox."""
        self.graphql(
            "mutation Up($e: String!, $p: String!, $n: String!) "
            "{ signUp(email: $e, password: $p, displayName: $n) { email } }",
            {"e": email, "p": password, "n": name},
        )
        token = self.confirmation_link(email).split("token=", 1)[1]
        signed_in: str = self.graphql(
            "mutation C($t: String!) { confirmSignUp(token: $t) { token } }", {"t": token}
        )["confirmSignUp"]["token"]
        return signed_in

    def person(self, email: str, password: str, role: str, name: str) -> None:
        """An account made by the operators' command line (planners and admins)."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "marketplace.cli",
                "person",
                "create",
                "--email",
                email,
                "--role",
                role,
                "--name",
                name,
                "--password-stdin",
            ],
            input=password + "\n",
            env={**os.environ, "DATABASE_URL": self.database_url},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )


@contextlib.contextmanager
def _serve(shared_data: Path, folder: Path) -> Iterator[WebServer]:
    """The app on a new SQLite database in ``folder``, compiling the streets into ``folder``."""
    import uvicorn

    import marketplace.streets as streets_module
    from marketplace.app import create_app
    from marketplace.settings import Settings

    if not (REPO_ROOT / "node_modules" / "leaflet").is_dir():
        pytest.fail("node_modules/leaflet is missing: run `make setup` (npm ci)")
    database_url = f"sqlite:///{folder / 'web.sqlite3'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # public_url: the base of the links in the emails (sign-up confirmations) the tests follow.
    settings = Settings(
        database_url=database_url, streets=str(shared_data / STREETS_FIXTURE), public_url=url
    )
    patch = pytest.MonkeyPatch()
    # Compile the extract into a temporary artefact cache, not the checkout's data/.
    patch.setattr(streets_module, "ARTEFACT_CACHE_DIR", folder / "streets")

    def load(settings: Settings) -> Any:
        return streets_module.load_streets(settings.streets)

    app = create_app(settings, street_loader=load)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.1)
    try:
        yield WebServer(url=url, database_url=database_url)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        patch.undo()


@pytest.fixture(scope="session")
def web_server(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """The app most browser tests share, for the whole session."""
    with _serve(shared_data, tmp_path_factory.mktemp("web")) as server:
        yield server


@pytest.fixture(scope="module")
def fresh_server(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    """A second app on an empty database, for a module that starts from nothing."""
    with _serve(shared_data, tmp_path_factory.mktemp("fresh")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"{CHROMIUM} not found: `make setup` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A page in a fresh browser context, with the console errors it logged."""

    page: Any
    base_url: str
    errors: list[str]

    def goto(self, route: str) -> None:
        self.page.goto(f"{self.base_url}/{route}")

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def axe_violations(self) -> list[dict[str, Any]]:
        """Serious and critical axe-core violations on the page as it is now."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE_JS))
        results = self.page.evaluate(
            """async () => {
                const result = await axe.run(document, {
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                });
                return result.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
                }));
            }"""
        )
        return [v for v in results if v["impact"] in {"serious", "critical"}]

    def assert_accessible(self) -> None:
        violations = self.axe_violations()
        assert not violations, json.dumps(violations, indent=2, ensure_ascii=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for name in ("tab", "phone_tab"):
            tab = getattr(item, "funcargs", {}).get(name)
            if isinstance(tab, Tab):
                # A picture of the page as the test failed on it, beside the others.
                path = tab.screenshot(f"FAILED-{item.name}")
                report.sections.append(("browser", f"screenshot: {path}\nconsole: {tab.errors}"))


def _tab(browser: Any, base_url: str, viewport: dict[str, int]) -> Generator[Tab, None, None]:
    context = browser.new_context(
        viewport=viewport,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield Tab(page=page, base_url=base_url, errors=errors)
    finally:
        context.close()


@pytest.fixture
def tab(browser: Any, web_server: WebServer) -> Iterator[Tab]:
    """A desktop-sized page."""
    yield from _tab(browser, web_server.url, DESKTOP)


@pytest.fixture
def phone_tab(browser: Any, web_server: WebServer) -> Iterator[Tab]:
    """A phone-sized page."""
    yield from _tab(browser, web_server.url, PHONE)


@pytest.fixture
def fresh_tabs(browser: Any, fresh_server: WebServer) -> Iterator[dict[str, Tab]]:
    """A desktop and a phone page on the module's empty-database server."""
    desktop = _tab(browser, fresh_server.url, DESKTOP)
    phone = _tab(browser, fresh_server.url, PHONE)
    try:
        yield {"desktop": next(desktop), "phone": next(phone)}
    finally:
        desktop.close()
        phone.close()


# Seeding through the public API (a published scooter share and a parking site).

CREATE = """
mutation Create($input: CreateServiceInput!) { createService(input: $input) { id } }
"""
STATIONS = """
mutation Stations($id: ID!, $stations: [StationInput!]!, $plan: PricingPlanInput!) {
  upsertStations(serviceId: $id, stations: $stations) { created }
  setPricingPlan(serviceId: $id, plan: $plan) { currency }
}
"""
PUBLISH = "mutation Publish($id: ID!) { publishService(id: $id) { status } }"
AVAILABILITY = """
mutation Live($id: ID!, $rows: [AvailabilityInput!]!) {
  updateAvailability(serviceId: $id, availability: $rows) { updated created }
}
"""


def seed_service(
    web_server: WebServer, key: str, *, kind: str, name: str, stations: list[dict[str, Any]]
) -> str:
    service_id: str = web_server.graphql(
        CREATE,
        {"input": {"kind": kind, "name": name, "description": f"{name}, à Issy et Meudon"}},
        key=key,
    )["createService"]["id"]
    web_server.graphql(
        STATIONS,
        {
            "id": service_id,
            "stations": stations,
            "plan": {
                "externalId": "std",
                "name": "Standard",
                "currency": "EUR",
                "unlockFeeMinor": 100,
                "perMinuteMinor": 15,
            },
        },
        key=key,
    )
    web_server.graphql(PUBLISH, {"id": service_id}, key=key)
    return service_id


@pytest.fixture(scope="session")
def catalogue(web_server: WebServer) -> dict[str, str]:
    key = web_server.partner_key("Mobilités Meudon-Issy", kind="operator")
    scooters = seed_service(
        web_server,
        key,
        kind="SCOOTER_SHARE",
        name="Trottinettes Seine Ouest",
        stations=[{"externalId": "s1", "name": "Place Rabelais", "lat": 48.8125, "lon": 2.2385}],
    )
    parking = seed_service(
        web_server,
        key,
        kind="PARKING",
        name="Parking de la Gare de Meudon",
        stations=[
            {
                "externalId": "p1",
                "name": "Gare de Meudon",
                "lat": 48.8166,
                "lon": 2.2412,
                "kind": "PARKING_SITE",
                "capacity": 120,
            }
        ],
    )
    web_server.graphql(
        AVAILABILITY,
        {"id": parking, "rows": [{"stationExternalId": "p1", "docksAvailable": 37}]},
        key=key,
    )
    return {"key": key, "scooters": scooters, "parking": parking}
