"""Per-client plan rate limits and the time budget of one plan, through the real app.

Real west-Issy streets; the buckets in the process, and in the real Redis (shared by two
apps, as by two workers). Each test uses fresh bearer tokens, so no bucket is shared with
another test or an earlier run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.identity.partners import create_api_key, create_partner
from marketplace.models import PartnerKind
from marketplace.settings import Settings
from marketplace.streets import StreetsState
from tests.marketplace.helpers import REDIS_URL, Api
from tests.marketplace.trips import DESTINATION, ORIGIN, meudon_streets

PLAN = """query($o: PlanLocationInput!, $d: PlanLocationInput!) {
  plan(origin: $o, destination: $d) { edges { node { durationS } } } }"""


@pytest.fixture(scope="module")
def streets(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> StreetsState:
    return meudon_streets(shared_data, tmp_path_factory.mktemp("streets"))


@contextlib.contextmanager
def app(settings: Settings, streets: StreetsState) -> Iterator[Api]:
    with TestClient(create_app(settings, street_loader=lambda s: streets)) as client:
        yield Api(client)


def plan(api: Api, token: str) -> dict[str, Any]:
    return api.post(PLAN, {"o": ORIGIN, "d": DESTINATION}, key=token)


def error_code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors")
    return str(errors[0]["extensions"]["code"]) if errors else None


def fresh_token(api: Api) -> str:
    """A new client: a partner of its own and its API key (a key sent must be a real one)."""

    def make(session: Any) -> str:
        partner = create_partner(
            session, name=f"Client {uuid.uuid4().hex[:8]}", kind=PartnerKind.STARTUP
        )
        assert partner.id is not None
        return create_api_key(session, partner_id=partner.id).token

    return str(api.db.call(make))


def test_a_client_over_its_burst_is_told_the_limit_and_when_to_retry(
    settings: Settings, streets: StreetsState
) -> None:
    limited = dataclasses.replace(settings, plan_burst=2, plan_rate_per_min=1)
    with app(limited, streets) as api:
        token = fresh_token(api)
        assert [error_code(plan(api, token)) for _ in range(2)] == [None, None]
        refused = plan(api, token)
        (error,) = refused["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert "at most 2 at once and 1 a minute per client" in error["message"]
        assert 0 < error["extensions"]["retry_after_s"] <= 60
        assert error_code(plan(api, fresh_token(api))) is None  # another client: its own bucket


@pytest.mark.redis
def test_buckets_in_redis_are_shared_by_every_process(
    settings: Settings, streets: StreetsState
) -> None:
    shared = dataclasses.replace(
        settings, broadcast_url=REDIS_URL, plan_burst=3, plan_rate_per_min=1
    )
    with app(shared, streets) as first, app(shared, streets) as second:
        token = fresh_token(first)
        assert error_code(plan(first, token)) is None
        assert error_code(plan(second, token)) is None
        assert error_code(plan(first, token)) is None
        assert error_code(plan(second, token)) == "RATE_LIMITED"  # the 4th, wherever it lands


def test_a_plan_over_the_time_budget_answers_plan_timeout(
    settings: Settings, streets: StreetsState
) -> None:
    with app(settings, streets) as api:
        assert error_code(plan(api, fresh_token(api))) is None  # warm: within 10 s
    strict = dataclasses.replace(settings, plan_budget_ms=1)
    with app(strict, streets) as api:
        (error,) = plan(api, fresh_token(api))["errors"]
    assert error["extensions"]["code"] == "PLAN_TIMEOUT"
    assert "budget of 1 ms per plan" in error["message"]


def test_a_plan_over_its_budget_stops_working_in_its_thread(
    settings: Settings, streets: StreetsState
) -> None:
    strict = dataclasses.replace(settings, plan_budget_ms=1)
    with app(strict, streets) as api:
        planning = cast(Starlette, api.client.app).state.planning
        assert planning.stopped_plans == 0
        assert error_code(plan(api, fresh_token(api))) == "PLAN_TIMEOUT"
        # The abandoned thread notices at the planner's next step and gives its CPU back
        # (a deadline, not a sleep: the machine may be loaded). A step can be long on a fresh
        # clone: numba compiles a kernel the first time it runs (no cache yet), and a compile
        # cannot be interrupted. On a loaded machine the 1 ms budget can also run out while
        # the plan still waits for a planning thread: it is then never begun, which spends
        # nothing either (anyio drops work cancelled before it starts).
        deadline = time.monotonic() + 600
        while planning.stopped_plans < planning.started_plans or planning.started_plans == 0:
            if planning.started_plans == 0 and time.monotonic() > deadline - 590:
                break  # not begun 10 s after its time-out: abandoned before it started
            assert time.monotonic() < deadline, "the timed-out plan never stopped"
            time.sleep(0.02)
        assert planning.started_plans <= 1
        assert planning.stopped_plans == planning.started_plans
