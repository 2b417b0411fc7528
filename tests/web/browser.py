"""What the browser tests share: the server and page handles, the seeding queries, places.

A plain module (fixtures live in ``conftest.py``), so test modules import these names from
here, never from a conftest or from one another.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.live_server import graphql_data
from tests.paths import REPO_ROOT

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
# The journey tests' desktop: a common laptop screen.
LAPTOP = {"width": 1280, "height": 800}


@dataclass
class WebServer:
    """The running app: its base URL, database URL, and a GraphQL helper for seeding."""

    url: str
    database_url: str
    partners: dict[str, str] = field(default_factory=dict)
    app: Any = None
    """The served app (same process), for tests that ask the engine what to expect."""

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


RUE_LILY = (48.8091, 2.2563)
NORTH_WEST = (48.8193, 2.2400)


def plan_hash(origin: tuple[float, float], destination: tuple[float, float], **extra: str) -> str:
    params = f"from={origin[0]},{origin[1]}&to={destination[0]},{destination[1]}"
    for name, value in extra.items():
        params += f"&{name}={value}"
    return f"#/plan?{params}"


# The planner account the dashboard tests sign in with.
EMAIL = "urbaniste@ville-issy.example"
PASSWORD = "les rues du plateau le matin"


def sign_in_to_the_dashboard(tab: Tab, email: str = EMAIL, password: str = PASSWORD) -> None:
    """Open the dashboard, follow its sign-in link, sign in as a planner."""
    page = tab.page
    tab.goto("#/planner")
    page.locator("main").get_by_role("link", name="Se connecter").click()
    signin = page.locator("form", has=page.get_by_role("heading", name="Connexion"))
    signin.get_by_label("Adresse e-mail").fill(email)
    signin.get_by_label("Mot de passe").fill(password)
    signin.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Tableau de bord trafic").wait_for()


def partner_sign_in(tab: Tab, key: str, name: str) -> None:
    """Sign in to the partner console with an API key, as the partner named ``name``."""
    page = tab.page
    tab.goto("#/partner")
    page.get_by_label("Clé d'API").fill(key)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text(f"Connecté pour {name}.").wait_for()


def click_polygon(tab: Tab, points: list[tuple[float, float]]) -> None:
    """Click the corners (fractions of the map's box), then the first again to close it."""
    page = tab.page
    box = page.locator("#editor-map").bounding_box()
    assert box is not None
    page.wait_for_timeout(300)
    for fx, fy in [*points, points[0]]:
        # As a hand does: move there (the plugin's guide follows the pointer), then click.
        x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
        page.mouse.move(x, y, steps=4)
        page.wait_for_timeout(100)
        page.mouse.click(x, y)
        page.wait_for_timeout(300)
