"""Mobility services: create, change, move through their lifecycle, find.

Plain functions over a session, keyword-only arguments, permission checks included (the
rules live in :mod:`marketplace.catalogue.access`), so the API, imports and the command line
all enforce the same ones. Callers commit; nothing here publishes events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session, col, func, select

from marketplace.catalogue.access import require_owner, require_visible, visible_clause
from marketplace.catalogue.validation import (
    OpeningPeriod,
    check_non_negative,
    check_text,
    check_url,
    dump_opening_hours,
    validate_service_area,
)
from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.events.catalogue import ChangeKind
from marketplace.events.changes import record_service_change
from marketplace.i18n import Message
from marketplace.identity.actors import Actor, require_actor
from marketplace.models import (
    MobilityService,
    Partner,
    PartnerKind,
    ServiceKind,
    ServiceStatus,
    utcnow,
)

__all__ = [
    "EDITABLE_FIELDS",
    "Page",
    "ServiceFields",
    "apply_field",
    "change_status",
    "count_visible",
    "create_service",
    "get_service",
    "lock_owned_service",
    "lock_service",
    "services_by_ids",
    "update_service",
]

T = TypeVar("T")

EDITABLE_FIELDS = frozenset(
    {
        "kind",
        "name",
        "description",
        "website",
        "booking_url",
        "service_area",
        "no_parking_area",
        "opening_hours",
        "wheelchair_accessible",
        "co2_g_per_km",
    }
)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: the items, how many match in all, and whether more follow."""

    items: list[T]
    total: int
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class ServiceFields:
    """What a partner gives to create a service (see :class:`MobilityService`)."""

    kind: ServiceKind
    name: str
    description: str = ""
    website: str | None = None
    booking_url: str | None = None
    service_area: str | None = None
    no_parking_area: str | None = None
    opening_hours: list[OpeningPeriod] | None = None
    wheelchair_accessible: bool = False
    co2_g_per_km: float | None = None


def _apply(service: MobilityService, name: str, value: Any) -> None:
    """Validate one field and set it on ``service``."""
    if name == "kind":
        if not isinstance(value, ServiceKind):
            raise InvalidInput(Message("service.bad_kind", {"value": repr(value)}), field="kind")
        service.kind = value
    elif name == "name":
        service.name = check_text("name", value, max_len=200)
    elif name == "description":
        service.description = check_text("description", value or "", max_len=5000, required=False)
    elif name in {"website", "booking_url"}:
        setattr(service, name, check_url("bookingUrl" if name == "booking_url" else name, value))
    elif name == "service_area":
        area = validate_service_area(value) if value is not None else None
        service.service_area = area.geojson if area else None
        service.area_min_lon = area.bbox.min_lon if area else None
        service.area_min_lat = area.bbox.min_lat if area else None
        service.area_max_lon = area.bbox.max_lon if area else None
        service.area_max_lat = area.bbox.max_lat if area else None
    elif name == "no_parking_area":
        area = validate_service_area(value, field="noParkingArea") if value is not None else None
        service.no_parking_area = area.geojson if area else None
    elif name == "opening_hours":
        service.opening_hours = dump_opening_hours(value)
    elif name == "wheelchair_accessible":
        service.wheelchair_accessible = bool(value)
    elif name == "co2_g_per_km":
        check_non_negative("co2GPerKm", value)
        service.co2_g_per_km = value
    else:
        raise InvalidInput(
            f"{name!r} cannot be changed; editable: {', '.join(sorted(EDITABLE_FIELDS))}"
        )


def apply_field(service: MobilityService, name: str, value: Any) -> None:
    """Validate one editable field and set it on ``service`` (imports use it too).

    Raises
    ------
    InvalidInput
        The value breaks the field's rule, or the field is not editable.
    """
    _apply(service, name, value)


def create_service(
    session: Session, *, actor: Actor | None, fields: ServiceFields
) -> MobilityService:
    """Create a ``DRAFT`` service owned by the caller.

    Raises
    ------
    NotAuthenticated
        Anonymous caller.
    InvalidInput
        Any field breaking its rule (the message names it).
    """
    actor = require_actor(actor)
    service = MobilityService(
        partner_id=actor.partner_id,
        kind=fields.kind,
        name="",
        status_changed_by_id=actor.partner_id,
    )
    for name in EDITABLE_FIELDS:
        _apply(service, name, getattr(fields, name))
    session.add(service)
    session.flush()
    record_service_change(session, ChangeKind.SERVICE, service)
    return service


def lock_service(session: Session, service_id: int) -> MobilityService | None:
    """Load a service for change, locking its row until commit (PostgreSQL).

    On SQLite the write lock of the transaction plays the same part.
    """
    query = select(MobilityService).where(MobilityService.id == service_id).with_for_update()
    return session.exec(query).first()


def lock_owned_service(session: Session, actor: Actor | None, service_id: int) -> MobilityService:
    """Lock the caller's service for a change to it or to its stations, prices, vehicles.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden
        See :func:`marketplace.catalogue.access.require_owner`.
    Conflict
        The service is retired: retired services cannot change.
    """
    service = lock_service(session, service_id)
    require_visible(actor, service, service_id)
    assert service is not None
    require_owner(actor, service)
    if service.status is ServiceStatus.RETIRED:
        raise Conflict(Message("service.retired", {"id": service_id}))
    return service


def get_service(session: Session, *, actor: Actor | None, service_id: int) -> MobilityService:
    """The service, if ``actor`` may see it.

    Raises
    ------
    NotFound
        Unknown id, or a service the caller may not see.
    """
    service = session.get(MobilityService, service_id)
    require_visible(actor, service, service_id)
    assert service is not None
    return service


def _check_version(service: MobilityService, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != service.version:
        raise Conflict(
            f"service {service.id} is at version {service.version}, not {expected_version}: "
            "someone changed it since you read it; fetch it again and reapply your change",
            currentVersion=service.version,
        )


def _touch(service: MobilityService) -> None:
    service.version += 1
    service.updated_at = utcnow()


def update_service(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
) -> MobilityService:
    """Change some fields of the caller's service, if nobody changed it in between.

    Parameters
    ----------
    changes
        Field name (see :data:`EDITABLE_FIELDS`) to new value; absent fields stay as they
        are, ``None`` clears an optional field.
    expected_version
        The version the caller read; the update is refused when the service moved on.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden
        See :func:`marketplace.catalogue.access.require_owner`.
    Conflict
        Stale ``expected_version``, or the service is retired.
    InvalidInput
        A field breaking its rule.
    """
    service = lock_owned_service(session, actor, service_id)
    _check_version(service, expected_version)
    if not changes:
        raise InvalidInput("nothing to update: give at least one field")
    for name, value in changes.items():
        _apply(service, name, value)
    _touch(service)
    session.add(service)
    session.flush()
    record_service_change(session, ChangeKind.SERVICE, service)
    return service


_TRANSITIONS: dict[ServiceStatus, frozenset[ServiceStatus]] = {
    ServiceStatus.PUBLISHED: frozenset({ServiceStatus.DRAFT, ServiceStatus.SUSPENDED}),
    ServiceStatus.SUSPENDED: frozenset({ServiceStatus.PUBLISHED}),
    ServiceStatus.RETIRED: frozenset(
        {ServiceStatus.DRAFT, ServiceStatus.PUBLISHED, ServiceStatus.SUSPENDED}
    ),
}


def _suspended_by_city(session: Session, service: MobilityService) -> bool:
    if service.status is not ServiceStatus.SUSPENDED or service.status_changed_by_id is None:
        return False
    by = session.get(Partner, service.status_changed_by_id)
    return by is not None and by.kind is PartnerKind.CITY and by.id != service.partner_id


def _city_may(
    session: Session, actor: Actor, service: MobilityService, status: ServiceStatus
) -> bool:
    """The city's powers over others' services: suspend, and lift its own suspensions."""
    if not actor.is_city or service.status is ServiceStatus.DRAFT:
        return False
    if status is ServiceStatus.SUSPENDED:
        return True
    return status is ServiceStatus.PUBLISHED and _suspended_by_city(session, service)


def change_status(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    status: ServiceStatus,
    expected_version: int | None = None,
) -> MobilityService:
    """Move a service through its lifecycle, recording who did it and when.

    Owners publish (from draft or suspended), suspend (from published) and retire (from
    any but retired). City partners may suspend any published service and lift a
    suspension (publish); an owner may not lift a suspension the city imposed.

    Raises
    ------
    NotAuthenticated, NotFound, Forbidden
        Caller not allowed (see the rules above).
    Conflict
        Transition not allowed from the current status, or stale ``expected_version``.
    """
    actor = require_actor(actor)
    service = lock_service(session, service_id)
    require_visible(actor, service, service_id)
    assert service is not None
    if service.partner_id != actor.partner_id and not _city_may(session, actor, service, status):
        verb = {ServiceStatus.PUBLISHED: "publish", ServiceStatus.SUSPENDED: "suspend"}
        raise Forbidden(
            f"service {service_id} belongs to another partner; only its owner may "
            f"{verb.get(status, 'retire')} it (the city may suspend a published service, and "
            "lift its own suspensions)"
        )
    _check_version(service, expected_version)
    allowed_from = _TRANSITIONS.get(status, frozenset())
    if service.status not in allowed_from:
        raise Conflict(
            f"service {service_id} is {service.status.name}; it can become {status.name} only "
            f"from {' or '.join(sorted(s.name for s in allowed_from)) or 'nowhere'}",
            currentStatus=service.status.name,
        )
    if (
        status is ServiceStatus.PUBLISHED
        and not actor.is_city
        and _suspended_by_city(session, service)
    ):
        raise Forbidden(
            f"service {service_id} was suspended by the city on "
            f"{service.status_changed_at:%Y-%m-%d}; only the city can lift the suspension"
        )
    service.status = status
    service.status_changed_at = utcnow()
    service.status_changed_by_id = actor.partner_id
    _touch(service)
    session.add(service)
    session.flush()
    record_service_change(session, ChangeKind.SERVICE, service)
    return service


def services_by_ids(session: Session, ids: Sequence[int]) -> dict[int, MobilityService]:
    """Services by id (no permission check: for loaders that already checked)."""
    if not ids:
        return {}
    rows = session.exec(select(MobilityService).where(col(MobilityService.id).in_(ids)))
    return {s.id: s for s in rows if s.id is not None}


def count_visible(session: Session, *, actor: Actor | None) -> int:
    """How many services ``actor`` may see."""
    query = select(func.count()).select_from(MobilityService).where(visible_clause(actor))
    return int(session.exec(query).one())
