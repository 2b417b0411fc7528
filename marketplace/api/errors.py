"""How errors reach clients: domain errors as they are, everything else masked.

:class:`marketplace.errors.MarketplaceError` carries a message written for partners and an
``extensions.code``; GraphQL's own validation errors (syntax, unknown field, wrong type,
depth limit) are also meant for the client. Any other exception is a bug: the client gets
"Internal server error." with code ``INTERNAL_SERVER_ERROR`` and the trace goes to the log.

Errors raised with a catalogue message are worded in the caller's language
(:attr:`Context.language`) as the answer leaves: :func:`localize_errors`.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from marketplace.errors import MarketplaceError
from marketplace.i18n import DEFAULT_LANGUAGE, Language, id_of_english, render

__all__ = [
    "MASKED_MESSAGE",
    "LocalizeErrors",
    "localize_error",
    "mask_internal_errors",
    "should_mask",
]

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


def localize_error(error: GraphQLError, language: Language) -> None:
    """Word ``error`` in ``language`` when its text comes from the catalogue."""
    original = error.original_error
    if isinstance(original, MarketplaceError) and original.worded is not None:
        error.message = original.worded.render(language)
        return
    # A plain English text the catalogue holds (a permission class's message, a constant).
    text = original.message if isinstance(original, MarketplaceError) else error.message
    message_id = id_of_english(text)
    if message_id is not None:
        error.message = render(language, message_id)


class LocalizeErrors(SchemaExtension):
    """Words the operation's errors in the caller's language once it has run."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        language: Language = getattr(self.execution_context.context, "language", DEFAULT_LANGUAGE)
        for error in result.errors:
            localize_error(error, language)
