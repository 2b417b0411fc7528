"""The unfiltered ``services`` list is answered from a per-process cache keyed by the
catalogue and credentials versions: a change to a service or to a partner, made by any
process, is in the very next answer of every process."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from marketplace.app import create_app
from marketplace.models import MobilityService, Partner
from marketplace.settings import Settings
from tests.marketplace.helpers import Api, Partners, create_service, published_service

LIST = """{ services(first: 20) { totalCount
  edges { node { id name kind operator { name } } } } }"""
COUNT_ONLY = "{ services(first: 20) { totalCount edges { node { id } } } }"
FILTERED = '{ services(first: 20, filter: { text: "vélo" }) { totalCount } }'


@pytest.fixture
def other(settings: Settings, api: Api) -> Iterator[Api]:
    """A second server process on the same database."""
    with TestClient(create_app(settings)) as client:
        yield Api(client)


class _Statements:
    """The statements an app's engine runs that read the services table."""

    def __init__(self, api: Api) -> None:
        self.seen: list[str] = []
        self._engine = api.db.engine
        sa.event.listen(self._engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM mobility_service" in statement:
            self.seen.append(statement)

    def close(self) -> None:
        sa.event.remove(self._engine, "before_cursor_execute", self._record)


def _listed(api: Api, key: str | None = None) -> list[tuple[str, str]]:
    data = api.ok(LIST, key=key)["services"]
    assert data["totalCount"] == len(data["edges"])
    return [(e["node"]["name"], e["node"]["operator"]["name"]) for e in data["edges"]]


def test_a_repeated_list_reads_no_services(api: Api, partners: Partners) -> None:
    published_service(api, partners.a)
    for key in (None, partners.b):
        statements = _Statements(api)
        try:
            first = _listed(api, key)
            assert statements.seen  # read once
            statements.seen.clear()
            assert _listed(api, key) == first
            assert api.ok(COUNT_ONLY, key=key)["services"]["totalCount"] == 1
            assert statements.seen == []  # then from the cache
            api.ok(FILTERED, key=key)  # a filtered list is never cached
            assert statements.seen
        finally:
            statements.close()


def test_service_changes_by_another_process_are_listed_at_once(
    api: Api, other: Api, partners: Partners
) -> None:
    service = published_service(api, partners.a)
    for _ in range(2):
        assert _listed(other) == [("Issy Vélo", "Alpha Bikes")]
    renamed = api.ok(
        """mutation($id: ID!, $v: Int!, $input: UpdateServiceInput!) {
             updateService(id: $id, expectedVersion: $v, input: $input) { name } }""",
        {"id": service["id"], "v": service["version"], "input": {"name": "Issy Vélo+"}},
        key=partners.a,
    )
    assert "errors" not in renamed
    assert _listed(other) == [("Issy Vélo+", "Alpha Bikes")]
    draft = create_service(api, partners.b, name="Beta Draft")
    assert [n for n, _ in _listed(other)] == ["Issy Vélo+"]  # drafts are not listed
    api.ok("mutation($id: ID!) { publishService(id: $id) { id } }", {"id": draft["id"]},
           key=partners.b)  # fmt: skip
    assert [n for n, _ in _listed(other)] == ["Issy Vélo+", "Beta Draft"]

    def suspend_all(session: Session) -> None:  # a bulk statement, not the ORM
        session.execute(sa.update(MobilityService).values(status="SUSPENDED"))

    api.db.call(suspend_all)
    assert _listed(other) == []


def test_a_renamed_operator_is_listed_at_once(api: Api, other: Api, partners: Partners) -> None:
    published_service(api, partners.a)
    for _ in range(2):
        assert _listed(other, partners.b) == [("Issy Vélo", "Alpha Bikes")]

    def rename(session: Session) -> None:
        partner = session.get(Partner, partners.a_id)
        assert partner is not None
        partner.name = "Alpha Mobility"
        session.add(partner)

    api.db.call(rename)
    assert _listed(other, partners.b) == [("Issy Vélo", "Alpha Mobility")]
    assert _listed(other) == [("Issy Vélo", "Alpha Mobility")]
