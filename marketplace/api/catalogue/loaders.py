"""DataLoaders, made per request, so nested fields cost one query per level, not per row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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

__all__ = ["Loaders"]

K = TypeVar("K")
V = TypeVar("V")


def _partners(session: Session, ids: Sequence[int]) -> dict[int, Partner]:
    rows = session.exec(select(Partner).where(col(Partner.id).in_(list(ids))))
    return {p.id: p for p in rows if p.id is not None}


class Loaders:
    """The request's loaders; each batches the keys asked for in one event-loop tick."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.partner: DataLoader[int, Partner | None] = self._one(_partners)
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
