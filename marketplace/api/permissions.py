"""Strawberry permission classes; the fine-grained ownership rules live in the catalogue."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from marketplace.api.context import Info

__all__ = ["IsPartner"]


class IsPartner(BasePermission):
    """The caller sent a valid partner API key."""

    message = "this operation needs a partner API key: send 'Authorization: Bearer issy_…'"
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012 (strawberry reads it per class)

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # A malformed, revoked or expired key raises NotAuthenticated with its own reason.
        return await info.context.actor() is not None
