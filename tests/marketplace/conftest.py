"""Fixtures: the real ASGI app on SQLite (temp file) and PostgreSQL (a private schema), the
partners, and the cast of people of the community tests (with cheap password hashing).

Each backend's database is migrated once per session; every test starts from empty tables.
PostgreSQL tests carry the ``postgres`` marker and use a schema of their own inside the
``test`` database, so concurrent runs and other suites do not collide.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import SQLModel

with warnings.catch_warnings():
    # Starlette 1.x nudges towards httpx2; the TestClient works the same on httpx.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.db import Database, upgrade_database
from marketplace.identity import credentials
from marketplace.identity.partners import create_api_key, create_partner
from marketplace.identity.sessions import create_person
from marketplace.models import PartnerKind, PersonRole
from marketplace.outbound import OutboundPolicy
from marketplace.settings import Settings
from tests.marketplace.community_helpers import PASSWORD, Cast, session_token
from tests.marketplace.helpers import (
    POSTGRES_URL,
    Api,
    Partners,
    postgres_schema_url,
    published_service,
)


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the PostgreSQL ``test`` database, dropped at the end."""
    schema = f"mkt_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc}")
    yield schema
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'marketplace.sqlite3'}"


_MIGRATED: set[str] = set()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, emptied database of each backend."""
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        url = postgres_schema_url(request.getfixturevalue("postgres_schema"))
    database = Database(url)
    if url not in _MIGRATED:
        upgrade_database(database.engine)
        _MIGRATED.add(url)
    _empty(database)
    database.dispose()
    yield url


def _empty(database: Database) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.backend == "postgresql":
            connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                connection.exec_driver_sql(f"DELETE FROM {table}")


@pytest.fixture
def settings(database_url: str, request: pytest.FixtureRequest) -> Settings:
    # A plan's time budget is wall-clock (tested in planning/test_plan_limits.py): on a loaded
    # test machine a cold first plan must not turn into a refusal elsewhere.
    # A test marked local_feeds serves feeds on 127.0.0.1, which the app refuses by default.
    local = request.node.get_closest_marker("local_feeds") is not None
    return Settings(
        database_url=database_url,
        max_page_size=50,
        default_page_size=10,
        plan_budget_ms=600_000,
        outbound=OutboundPolicy.allowing("127.0.0.1/32") if local else OutboundPolicy(),
    )


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings)) as client:
        yield Api(client)


@pytest.fixture
def partners(api: Api) -> Partners:
    def make(session: Any) -> Partners:
        ids, keys = [], []
        for name, kind in (
            ("Alpha Bikes", PartnerKind.STARTUP),
            ("Beta Scooters", PartnerKind.OPERATOR),
            ("Ville d'Issy-les-Moulineaux", PartnerKind.CITY),
        ):
            partner = create_partner(session, name=name, kind=kind)
            assert partner.id is not None
            ids.append(partner.id)
            keys.append(create_api_key(session, partner_id=partner.id).token)
        return Partners(ids[0], keys[0], ids[1], keys[1], ids[2], keys[2])

    return api.db.call(make)


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    """argon2id with tiny costs: the real parameters take ~100 ms a hash."""
    previous = credentials.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    credentials.use_hasher(previous)


@pytest.fixture
def cast(api: Api, partners: Partners) -> Cast:
    def make(session: Any) -> None:
        for email, role, partner in (
            ("anne@example.org", PersonRole.RESIDENT, None),
            ("bruno@example.org", PersonRole.RESIDENT, None),
            ("member@alpha.example", PersonRole.PARTNER_MEMBER, partners.a_id),
            ("member@beta.example", PersonRole.PARTNER_MEMBER, partners.b_id),
            ("planner@issy.example", PersonRole.PLANNER, None),
            ("admin@issy.example", PersonRole.ADMIN, None),
        ):
            create_person(session, email=email, password=PASSWORD, role=role, partner_id=partner)

    api.db.call(make)
    return Cast(
        resident=session_token(api, "anne@example.org"),
        other_resident=session_token(api, "bruno@example.org"),
        member=session_token(api, "member@alpha.example"),
        other_member=session_token(api, "member@beta.example"),
        planner=session_token(api, "planner@issy.example"),
        admin=session_token(api, "admin@issy.example"),
        partners=partners,
    )


@pytest.fixture
def service(api: Api, partners: Partners) -> dict[str, Any]:
    """A published service of partner A."""
    return published_service(api, partners.a)
