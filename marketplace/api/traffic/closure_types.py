"""The GraphQL face of a street closure a planner decided."""

from __future__ import annotations

import datetime as dt

import strawberry

from marketplace.api.relay import encode_global_id
from marketplace.models import StreetClosure

__all__ = ["StreetClosureType"]


@strawberry.type(
    name="StreetClosure",
    description="A street (by name) or OSM way closed to cars from startsAt until endsAt "
    "(open-ended when null) or until reopened: car plans leaving in that window go around "
    "it; walking and cycling are untouched.",
)
class StreetClosureType:
    id: strawberry.ID
    street: str | None
    osm_way_id: strawberry.ID | None
    reason: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    reopened_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: StreetClosure) -> StreetClosureType:
        assert row.id is not None
        return cls(
            id=encode_global_id("StreetClosure", row.id),
            street=row.street,
            osm_way_id=strawberry.ID(str(row.osm_way_id)) if row.osm_way_id is not None else None,
            reason=row.reason,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            reopened_at=row.reopened_at,
            created_at=row.created_at,
        )
