"""How errors reach clients: domain errors as they are, everything else masked.

:class:`marketplace.errors.MarketplaceError` carries a message written for partners and an
``extensions.code``; GraphQL's own validation errors (syntax, unknown field, wrong type,
depth limit) are also meant for the client. Any other exception is a bug: the client gets
"Internal server error." with code ``INTERNAL_SERVER_ERROR`` and the trace goes to the log.
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from marketplace.errors import MarketplaceError

__all__ = ["MASKED_MESSAGE", "mask_internal_errors", "should_mask"]

MASKED_MESSAGE = "Internal server error."


def should_mask(error: GraphQLError) -> bool:
    """Mask errors whose cause is not an expected, client-facing one."""
    original = error.original_error
    if original is None:
        return False  # parse and validation errors: about the query itself
    return not isinstance(original, MarketplaceError | GraphQLError)


class _MaskErrors(MaskErrors):
    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked


def mask_internal_errors() -> MaskErrors:
    """The schema extension that masks unexpected errors."""
    return _MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE)
