"""Who is calling: the :class:`Actor` every domain function takes, and the checks on it.

An actor comes from a partner's API key (:mod:`marketplace.identity.partners`) or a
person's session (:mod:`marketplace.identity.sessions`); the domain packages only ever see
this value, never a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from marketplace.errors import Forbidden, NotAuthenticated
from marketplace.i18n import MESSAGE_IDS, Message
from marketplace.models import PartnerKind, PersonRole

__all__ = ["Actor", "PartnerActor", "require_actor", "require_city", "require_planner"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling: the partner behind an API key, or a signed-in person.

    A person's ``role`` says what they may do; a partner member also carries its partner's
    fields and acts for it as the partner's API keys do. Residents and city staff without a
    partner have ``partner_id = None``.
    """

    partner_id: int | None
    partner_name: str | None
    kind: PartnerKind | None
    key_id: int | None = None
    person_id: int | None = None
    role: PersonRole | None = None
    session_id: int | None = None

    @property
    def is_city(self) -> bool:
        """City partners administer the catalogue (suspend any service)."""
        return self.kind is PartnerKind.CITY

    @property
    def is_partner(self) -> bool:
        """Acts for a partner: an API key, or a partner member's session."""
        return self.partner_id is not None

    @property
    def is_person(self) -> bool:
        """A signed-in person (not a machine with an API key)."""
        return self.person_id is not None

    @property
    def is_resident(self) -> bool:
        """A resident: writes reviews, suggestions and votes."""
        return self.role is PersonRole.RESIDENT

    @property
    def is_planner(self) -> bool:
        """City traffic planners and admins, and the city's own API keys (its dashboards)."""
        if self.role in {PersonRole.PLANNER, PersonRole.ADMIN}:
            return True
        return self.role is None and self.is_city

    @property
    def is_moderator(self) -> bool:
        """City admins moderate community content; machines never do."""
        return self.role is PersonRole.ADMIN


if TYPE_CHECKING:

    class PartnerActor(Actor):
        """An :class:`Actor` known to act for a partner (what :func:`require_actor` returns),
        so type checkers see ``partner_id`` as an ``int``."""

        partner_id: int
        partner_name: str
        kind: PartnerKind

else:
    PartnerActor = Actor


def require_actor(actor: Actor | None) -> PartnerActor:
    """The actor if it acts for a partner: :class:`NotAuthenticated` for anonymous callers,
    :class:`Forbidden` for people who are no partner's members."""
    if actor is None:
        raise NotAuthenticated(
            "this operation needs a partner API key: send 'Authorization: Bearer issy_…'"
        )
    if actor.partner_id is None:
        raise Forbidden(
            "this operation is for partners: use a partner API key or a partner member's account"
        )
    return cast(PartnerActor, actor)


def require_city(actor: Actor | None) -> PartnerActor:
    """The actor if it is a city partner, else :class:`Forbidden`."""
    actor = require_actor(actor)
    if not actor.is_city:
        raise Forbidden("only the city's partner accounts may do this")
    return actor


def _what(what: str) -> Message | str:
    """The catalogue's wording of ``what`` (``traffic results``...), else ``what`` as given."""
    key = f"what.{what}"
    return Message(key) if key in MESSAGE_IDS else what


def require_planner(actor: Actor | None, *, what: str = "traffic results") -> Actor:
    """The actor if it is one of the city's planners (``Actor.is_planner``): the one check
    behind every "planners only" answer, GraphQL or HTTP.

    Raises
    ------
    NotAuthenticated
        Anonymous caller.
    Forbidden
        Any other caller.
    """
    if actor is None:
        raise NotAuthenticated(Message("auth.planners_sign_in", {"what": _what(what)}))
    if not actor.is_planner:
        raise Forbidden(Message("auth.planners_only", {"what": _what(what)}))
    return actor
