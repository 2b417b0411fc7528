"""Fixtures: the real ASGI app on SQLite (temp file) and PostgreSQL (a private schema).

Each backend's database is migrated once per session; every test starts from empty tables.
PostgreSQL tests carry the ``postgres`` marker and use a schema of their own inside the
``test`` database, so concurrent runs and other suites do not collide.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

with warnings.catch_warnings():
    # Starlette 1.x nudges towards httpx2; the TestClient works the same on httpx.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.db import Database, upgrade_database
from marketplace.identity.partners import create_api_key, create_partner
from marketplace.models import PartnerKind
from marketplace.settings import Settings

POSTGRES_URL = os.environ.get(
    "ISSY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# A small square in Issy (around the Mairie), lon/lat.
ISSY_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[2.262, 48.820], [2.278, 48.820], [2.278, 48.830], [2.262, 48.830], [2.262, 48.820]]
    ],
}


def postgres_schema_url(schema: str) -> str:
    """The test database URL with ``search_path`` set to ``schema``."""
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


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


@dataclass
class Api:
    """A test client speaking GraphQL to the app."""

    client: TestClient

    @property
    def db(self) -> Database:
        return self.client.app.state.db

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a query that must succeed."""
        body = self.post(query, variables, key=key)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def error(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        """The first error of a query that must fail."""
        body = self.post(query, variables, key=key)
        assert body.get("errors"), body
        return body["errors"][0]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_page_size=50, default_page_size=10)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings)) as client:
        yield Api(client)


@dataclass(frozen=True)
class Partners:
    """Three partners and a key each: operators A and B, and the city."""

    a_id: int
    a: str
    b_id: int
    b: str
    city_id: int
    city: str


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


CREATE = """
mutation($input: CreateServiceInput!) {
  createService(input: $input) { id name status version kind }
}
"""
PUBLISH = "mutation($id: ID!) { publishService(id: $id) { id status version } }"


def create_service(api: Api, key: str, **fields: Any) -> dict[str, Any]:
    """Create a service through the API (a bike share in Issy unless told otherwise)."""
    payload = {"kind": "BIKE_SHARE", "name": "Issy Vélo", "serviceArea": ISSY_SQUARE, **fields}
    return api.ok(CREATE, {"input": payload}, key=key)["createService"]


def published_service(api: Api, key: str, **fields: Any) -> dict[str, Any]:
    """Create and publish a service; returns it as published."""
    service = create_service(api, key, **fields)
    return api.ok(PUBLISH, {"id": service["id"]}, key=key)["publishService"]
