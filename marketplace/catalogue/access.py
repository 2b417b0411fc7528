"""Who may see and change which service: the catalogue's permission rules in one place.

- Everyone sees ``PUBLISHED`` services.
- The owning partner sees and changes all of its services, drafts included.
- City partners see every service that is not a draft (to oversee them) and may suspend any
  service, or lift a suspension.
- Another partner's draft is reported as not found, so its existence never leaks.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from marketplace.errors import Forbidden, NotFound
from marketplace.i18n import Message
from marketplace.identity.actors import Actor, require_actor
from marketplace.models import MobilityService, ServiceStatus

__all__ = ["can_view", "require_owner", "require_visible", "visible_clause"]


def can_view(actor: Actor | None, service: MobilityService) -> bool:
    """Whether ``actor`` (``None`` for anonymous) may read ``service``."""
    if service.status is ServiceStatus.PUBLISHED:
        return True
    if actor is None:
        return False
    if service.partner_id == actor.partner_id:
        return True
    return actor.is_city and service.status is not ServiceStatus.DRAFT


def visible_clause(actor: Actor | None) -> Any:
    """The SQL condition equivalent to :func:`can_view`, for list queries."""
    published = col(MobilityService.status) == ServiceStatus.PUBLISHED
    if actor is None:
        return published
    clauses = [published, col(MobilityService.partner_id) == actor.partner_id]
    if actor.is_city:
        clauses.append(col(MobilityService.status) != ServiceStatus.DRAFT)
    return sa.or_(*clauses)


def require_visible(actor: Actor | None, service: MobilityService | None, service_id: int) -> None:
    """Raise :class:`NotFound` unless the service exists and ``actor`` may see it."""
    if service is None or not can_view(actor, service):
        raise NotFound(f"no service with id {service_id} that you may see")


def require_owner(actor: Actor | None, service: MobilityService) -> Actor:
    """The actor, if it owns ``service``.

    Raises
    ------
    NotAuthenticated
        Anonymous caller.
    NotFound
        The caller may not even see the service.
    Forbidden
        The caller sees it but it belongs to another partner.
    """
    actor = require_actor(actor)
    assert service.id is not None
    require_visible(actor, service, service.id)
    if service.partner_id != actor.partner_id:
        raise Forbidden(Message("service.not_owner", {"id": service.id}))
    return actor
