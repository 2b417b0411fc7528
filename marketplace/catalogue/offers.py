"""What a service offers and at what price: pricing plans and vehicle types.

Money is in integer minor units of the plan's currency (cents for EUR): exact sums and no
float rounding in fares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from marketplace.catalogue.services import lock_owned_service
from marketplace.catalogue.validation import check_currency, check_non_negative, check_text
from marketplace.errors import InvalidInput
from marketplace.events.catalogue import ChangeKind
from marketplace.events.changes import record_service_change
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.models import FormFactor, MobilityService, PricingPlan, Propulsion, VehicleType

__all__ = [
    "PricingPlanInput",
    "VehicleTypeInput",
    "plans_for_services",
    "set_pricing_plan",
    "upsert_vehicle_types",
    "vehicle_types_for_services",
]


@dataclass(frozen=True, slots=True)
class PricingPlanInput:
    """A plan as a partner sends it (GBFS ``system_pricing_plans``, amounts in minor units)."""

    external_id: str
    name: str
    currency: str
    description: str = ""
    unlock_fee_minor: int = 0
    per_minute_minor: int = 0
    per_km_minor: int = 0
    per_hour_minor: int = 0
    daily_cap_minor: int | None = None


@dataclass(frozen=True, slots=True)
class VehicleTypeInput:
    """A vehicle type as a partner sends it (GBFS ``vehicle_types``)."""

    external_id: str
    form_factor: FormFactor
    propulsion: Propulsion
    name: str = ""
    max_range_m: int | None = None


def set_pricing_plan(
    session: Session, *, actor: Actor | None, service_id: int, plan: PricingPlanInput
) -> tuple[PricingPlan, MobilityService]:
    """Create or replace one plan of the caller's service, matched on ``external_id``.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden, Conflict
        As for any change to a service.
    InvalidInput
        Unknown currency, negative amount, a daily cap below the unlock fee.
    """
    service = lock_owned_service(session, actor, service_id)
    external_id = check_text("externalId", plan.external_id, max_len=100)
    currency = check_currency("currency", plan.currency)
    for label, value in (
        ("unlockFeeMinor", plan.unlock_fee_minor),
        ("perMinuteMinor", plan.per_minute_minor),
        ("perKmMinor", plan.per_km_minor),
        ("perHourMinor", plan.per_hour_minor),
        ("dailyCapMinor", plan.daily_cap_minor),
    ):
        check_non_negative(label, value)
    if plan.daily_cap_minor is not None and plan.daily_cap_minor < plan.unlock_fee_minor:
        values = {"cap": plan.daily_cap_minor, "unlock": plan.unlock_fee_minor}
        raise InvalidInput(Message("pricing.cap_below_unlock", values), field="dailyCapMinor")
    row = session.exec(
        select(PricingPlan).where(
            PricingPlan.service_id == service_id, PricingPlan.external_id == external_id
        )
    ).first() or PricingPlan(service_id=service_id, external_id=external_id, name="", currency="")
    row.name = check_text("name", plan.name, max_len=200)
    row.description = check_text("description", plan.description, max_len=2000, required=False)
    row.currency = currency
    row.unlock_fee_minor = plan.unlock_fee_minor
    row.per_minute_minor = plan.per_minute_minor
    row.per_km_minor = plan.per_km_minor
    row.per_hour_minor = plan.per_hour_minor
    row.daily_cap_minor = plan.daily_cap_minor
    session.add(row)
    session.flush()
    record_service_change(session, ChangeKind.OFFER, service)
    return row, service


def upsert_vehicle_types(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    vehicle_types: Sequence[VehicleTypeInput],
) -> tuple[list[VehicleType], MobilityService]:
    """Create or update vehicle types of the caller's service, matched on ``external_id``.

    Raises
    ------
    InvalidInput
        Empty or repeated ids, negative range.
    """
    service = lock_owned_service(session, actor, service_id)
    existing = {
        v.external_id: v
        for v in session.exec(select(VehicleType).where(VehicleType.service_id == service_id))
    }
    seen: set[str] = set()
    rows: list[VehicleType] = []
    for i, item in enumerate(vehicle_types):
        external_id = check_text(f"vehicleTypes[{i}].externalId", item.external_id, max_len=100)
        if external_id in seen:
            raise InvalidInput(f"vehicleTypes[{i}].externalId {external_id!r} repeats")
        seen.add(external_id)
        check_non_negative(f"vehicleTypes[{i}].maxRangeM", item.max_range_m)
        row = existing.get(external_id) or VehicleType(
            service_id=service_id,
            external_id=external_id,
            form_factor=item.form_factor,
            propulsion=item.propulsion,
        )
        row.name = check_text(f"vehicleTypes[{i}].name", item.name, max_len=200, required=False)
        row.form_factor = item.form_factor
        row.propulsion = item.propulsion
        row.max_range_m = item.max_range_m
        session.add(row)
        rows.append(row)
    session.flush()
    record_service_change(session, ChangeKind.OFFER, service)
    return rows, service


def plans_for_services(
    session: Session, service_ids: Sequence[int]
) -> dict[int, list[PricingPlan]]:
    """Pricing plans of each service (for loaders; no permission check)."""
    result: dict[int, list[PricingPlan]] = {sid: [] for sid in service_ids}
    query = (
        select(PricingPlan)
        .where(col(PricingPlan.service_id).in_(list(service_ids)))
        .order_by(col(PricingPlan.external_id))
    )
    for plan in session.exec(query):
        result[plan.service_id].append(plan)
    return result


def vehicle_types_for_services(
    session: Session, service_ids: Sequence[int]
) -> dict[int, list[VehicleType]]:
    """Vehicle types of each service (for loaders; no permission check)."""
    result: dict[int, list[VehicleType]] = {sid: [] for sid in service_ids}
    query = (
        select(VehicleType)
        .where(col(VehicleType.service_id).in_(list(service_ids)))
        .order_by(col(VehicleType.external_id))
    )
    for vehicle_type in session.exec(query):
        result[vehicle_type.service_id].append(vehicle_type)
    return result
