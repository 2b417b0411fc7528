"""End-to-end fixtures: the real app on SQLite with a real street extract, driven by Playwright.

The server is uvicorn in a thread of the test process (so the street artefact cache can point
at a temporary folder) on a free port; partners are made with the ``issy-mobility partner
create`` command and everything else goes through the public GraphQL API. The browser is
Debian's ``chromium`` (``/usr/bin/chromium``), started headless by the Python ``playwright``
package; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pluggy
import pytest

from tests.live_server import free_port
from tests.paths import REPO_ROOT
from tests.web.browser import (
    AVAILABILITY,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    LAPTOP,
    PHONE,
    STREETS_FIXTURE,
    Tab,
    WebServer,
    seed_service,
)


@contextlib.contextmanager
def _serve(shared_data: Path, folder: Path) -> Iterator[WebServer]:
    """The app on a new SQLite database in ``folder``, compiling the streets into ``folder``."""
    import uvicorn

    import marketplace.streets as streets_module
    from marketplace.app import create_app
    from marketplace.db import Database
    from marketplace.outbound import OutboundPolicy
    from marketplace.settings import Settings

    if not (REPO_ROOT / "node_modules" / "leaflet").is_dir():
        pytest.fail("node_modules/leaflet is missing: run `make setup` (npm ci)")
    database_url = f"sqlite:///{folder / 'web.sqlite3'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # public_url: the base of the links in the emails (sign-up confirmations) the tests follow.
    # Every browser test plans from 127.0.0.1 on this one server: the per-client plan limit
    # (tested in tests/marketplace/planning/test_plan_limits.py) is lifted out of their way.
    settings = Settings(
        database_url=database_url,
        streets=str(shared_data / STREETS_FIXTURE),
        public_url=url,
        plan_rate_per_min=100_000,
        plan_burst=10_000,
        plan_budget_ms=600_000,  # wall-clock: a loaded machine must not refuse a cold plan
        # The tests' feed servers listen on 127.0.0.1, which the platform refuses by default.
        outbound=OutboundPolicy.allowing("127.0.0.1/32"),
    )
    patch = pytest.MonkeyPatch()
    # Compile the extract into a temporary artefact cache, not the checkout's data/.
    patch.setattr(streets_module, "ARTEFACT_CACHE_DIR", folder / "streets")

    def load(settings: Settings) -> Any:
        return streets_module.load_streets(settings.streets)

    Database(database_url).migrate()
    app = create_app(settings, street_loader=load)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 600  # a loaded machine compiles the extract slowly
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
        yield WebServer(url=url, database_url=database_url, app=app)
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


@pytest.fixture(scope="module")
def seeded_server(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    """An app on a new database seeded only as `make run` seeds one: the commands
    (`issy-mobility migrate`, then `seed open-data --if-empty`) first, then the server."""
    folder = tmp_path_factory.mktemp("seeded")
    for command in (["migrate"], ["seed", "open-data", "--if-empty"]):
        subprocess.run(
            [sys.executable, "-m", "marketplace.cli", *command],
            env={
                **os.environ,
                "DATABASE_URL": f"sqlite:///{folder / 'web.sqlite3'}",
                "ISSY_SHARED_DATA": str(shared_data),
            },
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    with _serve(shared_data, folder) as server:
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        funcargs = getattr(item, "funcargs", {})
        tabs = [(name, funcargs.get(name)) for name in ("tab", "phone_tab")]
        for group in ("fresh_tabs", "seeded_tabs"):
            tabs += [(f"{group}-{size}", tab) for size, tab in funcargs.get(group, {}).items()]
        for name, tab in tabs:
            if isinstance(tab, Tab):
                # A picture of the page as the test failed on it, beside the others.
                path = tab.screenshot(f"FAILED-{item.name}-{name}")
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


@pytest.fixture
def seeded_tabs(browser: Any, seeded_server: WebServer) -> Iterator[dict[str, Tab]]:
    """A laptop-sized and a phone page on the module's open-data server."""
    desktop = _tab(browser, seeded_server.url, LAPTOP)
    phone = _tab(browser, seeded_server.url, PHONE)
    try:
        yield {"desktop": next(desktop), "phone": next(phone)}
    finally:
        desktop.close()
        phone.close()


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
