"""Who may do what in the community: the rules in one place, each refusal with its reason.

- Anyone (even anonymous) reads visible content; hidden content only moderators.
- Residents review, suggest and vote; any signed-in person comments and reports.
- Partners (members or API keys) answer officially, decide on suggestions about their
  services, and propose answers to city challenges; city planners and admins decide on any
  suggestion; city admins and planners open challenges; city admins moderate.
"""

from __future__ import annotations

from marketplace.errors import Forbidden, NotAuthenticated
from marketplace.i18n import MESSAGE_IDS, Message
from marketplace.identity.actors import Actor
from marketplace.models import MobilityService, PersonRole, Suggestion

__all__ = [
    "may_decide",
    "require_moderator",
    "require_partner",
    "require_person",
    "require_resident",
]


def _doing(doing: str) -> Message | str:
    """The catalogue's wording of ``doing`` (``voting``...), else ``doing`` as given."""
    key = f"doing.{doing}"
    return Message(key) if key in MESSAGE_IDS else doing


def require_person(actor: Actor | None, doing: str) -> Actor:
    """The actor, if it is a signed-in person.

    Raises
    ------
    NotAuthenticated
        Anonymous caller.
    Forbidden
        An API key: machines do not take part in discussions.
    """
    if actor is None:
        raise NotAuthenticated(Message("community.needs_account", {"doing": _doing(doing)}))
    if actor.person_id is None:
        raise Forbidden(Message("community.people_only", {"doing": _doing(doing)}))
    return actor


def require_resident(actor: Actor | None, doing: str) -> Actor:
    """The actor, if it is a resident (reviews, suggestions and votes are theirs).

    Raises
    ------
    NotAuthenticated
        Anonymous caller.
    Forbidden
        Partners, city staff and API keys.
    """
    actor = require_person(actor, doing)
    if not actor.is_resident:
        raise Forbidden(Message("community.residents_only", {"doing": _doing(doing)}))
    return actor


def require_moderator(actor: Actor | None, doing: str) -> Actor:
    """The actor, if it is a city admin.

    Raises
    ------
    NotAuthenticated, Forbidden
    """
    actor = require_person(actor, doing)
    if not actor.is_moderator:
        raise Forbidden(Message("community.admins_only", {"doing": _doing(doing)}))
    return actor


def require_city_staff(actor: Actor | None, doing: str) -> Actor:
    """The actor, if it is a person on the city's staff (an admin or a planner).

    Raises
    ------
    NotAuthenticated, Forbidden
    """
    actor = require_person(actor, doing)
    if actor.role not in {PersonRole.ADMIN, PersonRole.PLANNER}:
        raise Forbidden(Message("community.staff_only", {"doing": _doing(doing)}))
    return actor


def require_partner(actor: Actor | None, doing: str) -> Actor:
    """The actor, if it acts for a partner (a member's session or an API key).

    Raises
    ------
    NotAuthenticated, Forbidden
    """
    if actor is None:
        raise NotAuthenticated(Message("community.partner_key_needed", {"doing": _doing(doing)}))
    if actor.partner_id is None:
        raise Forbidden(Message("community.partners_only", {"doing": _doing(doing)}))
    return actor


def may_decide(actor: Actor, suggestion: Suggestion, service: MobilityService | None) -> bool:
    """Whether ``actor`` may move a suggestion's status.

    City planners and admins decide on any suggestion. A partner decides on suggestions about
    one of its services, and on general ones (an operator may take an idea up); never on
    another partner's service.
    """
    if actor.is_planner and actor.person_id is not None:
        return True
    if actor.partner_id is None:
        return False
    if service is not None:
        return service.partner_id == actor.partner_id or actor.is_city
    return suggestion.service_id is None
