"""Fixtures of the people and community tests: cheap password hashing, a cast of people,
a published service. Test modules load them with
``pytest_plugins = ["tests.marketplace.community_fixtures"]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher

from marketplace.identity import credentials
from marketplace.identity.sessions import create_person
from marketplace.models import PersonRole
from tests.marketplace.community_helpers import PASSWORD, Cast, session_token
from tests.marketplace.conftest import Api, Partners, published_service


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
