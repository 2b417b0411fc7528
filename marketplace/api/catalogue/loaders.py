"""DataLoaders, made per request, so nested fields cost one query per level, not per row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from sqlmodel import Session, col, select
from strawberry.dataloader import DataLoader

from marketplace.catalogue.offers import plans_for_services, vehicle_types_for_services
from marketplace.catalogue.services import services_by_ids
from marketplace.catalogue.stations import stations_for_services
from marketplace.catalogue.vehicles import vehicles_for_services
from marketplace.db import Database
from marketplace.models import (
    FreeVehicle,
    MobilityService,
    Partner,
    PricingPlan,
    Station,
    StationAvailability,
    VehicleType,
)

__all__ = ["Loaders", "partners_by_ids"]

K = TypeVar("K")
V = TypeVar("V")


def partners_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Partner]:
    """The partners of ``ids`` (for :meth:`Loaders.partner`, or to prime it)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(select(Partner).where(col(Partner.id).in_(wanted)))
    return {p.id: p for p in rows if p.id is not None}


class Loaders:
    """The request's loaders; each batches the keys asked for in one event-loop tick."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.partner: DataLoader[int, Partner | None] = self._one(partners_by_ids)
        self.service: DataLoader[int, MobilityService | None] = self._one(services_by_ids)
        self.stations: DataLoader[int, list[tuple[Station, StationAvailability | None]]] = (
            self._many(stations_for_services)
        )
        self.pricing_plans: DataLoader[int, list[PricingPlan]] = self._many(plans_for_services)
        self.vehicle_types: DataLoader[int, list[VehicleType]] = self._many(
            vehicle_types_for_services
        )
        self.vehicles: DataLoader[int, list[FreeVehicle]] = self._many(vehicles_for_services)

    def _one(
        self, fetch: Callable[[Session, Sequence[int]], dict[int, V]]
    ) -> DataLoader[int, V | None]:
        async def load(keys: list[int]) -> list[V | None]:
            found = await self._db.run(fetch, keys)
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    def _many(
        self, fetch: Callable[[Session, Sequence[int]], dict[int, list[V]]]
    ) -> DataLoader[int, list[V]]:
        async def load(keys: list[int]) -> list[list[V]]:
            found = await self._db.run(fetch, keys)
            return [found.get(key, []) for key in keys]

        return DataLoader(load_fn=load)
