"""Strawberry permission classes; the fine-grained rules live in the catalogue and community.

Anonymous callers get ``UNAUTHENTICATED``; a known caller of the wrong kind or role gets
``FORBIDDEN`` with the reason.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from marketplace.api.context import Info
from marketplace.errors import Forbidden
from marketplace.identity.actors import Actor, require_planner

__all__ = ["IsModerator", "IsPartner", "IsPerson", "IsPlanner"]


class IsPartner(BasePermission):
    """The caller sent a valid partner API key."""

    message = "this operation needs a partner API key: send 'Authorization: Bearer issy_…'"
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012 (strawberry reads it per class)

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # A malformed, revoked or expired key raises NotAuthenticated with its own reason.
        actor = await info.context.actor()
        if actor is not None and actor.partner_id is None:
            raise Forbidden(
                "this operation is for partners: use a partner API key or a partner member's "
                "account"
            )
        return actor is not None


class _HasRole(BasePermission):
    """A signed-in person whose role passes :meth:`allows`; FORBIDDEN for other roles."""

    message = "sign in first: send 'Authorization: Bearer <session token>' from signIn"
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012 (strawberry reads it per class)
    refusal = "your role may not do this"

    def allows(self, actor: Actor) -> bool:
        raise NotImplementedError

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        actor = await info.context.actor()
        if actor is None:
            return False
        if not self.allows(actor):
            raise Forbidden(self.refusal)
        return True


class IsPerson(_HasRole):
    """Any signed-in person (not an API key)."""

    refusal = "this operation is for people signed in, not for API keys"

    def allows(self, actor: Actor) -> bool:
        return actor.is_person


class IsPlanner(BasePermission):
    """City traffic planners and admins (and the city's own API keys, for its dashboards).

    The check is :func:`~marketplace.identity.actors.require_planner`, the same the HTTP
    exports use; it raises ``UNAUTHENTICATED`` or ``FORBIDDEN`` with its reason.
    """

    message = "this operation is for the city's traffic planners"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (strawberry reads it per class)

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require_planner(await info.context.actor())
        return True


class IsModerator(_HasRole):
    """City admins, who moderate community content."""

    refusal = "this operation is for the city's admins (moderators)"

    def allows(self, actor: Actor) -> bool:
        return actor.is_moderator
