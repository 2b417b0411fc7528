"""How errors reach clients: domain errors as they are, everything else masked.

:class:`marketplace.errors.MarketplaceError` carries a message written for partners and an
``extensions.code``; GraphQL's own validation errors (syntax, unknown field, wrong type,
depth limit) are also meant for the client. Any other exception is a bug: the client gets
"Internal server error." with code ``INTERNAL_SERVER_ERROR`` and the trace goes to the log.

Every error carries an ``extensions.code``, as the partner guide promises: a document that is
no GraphQL gets ``GRAPHQL_PARSE_FAILED``, one that does not fit the schema (unknown field,
wrong argument type, too deep) ``GRAPHQL_VALIDATION_FAILED``, a variable of the wrong type
``BAD_USER_INPUT`` (the codes Apollo Server uses, which GraphQL clients know).

Errors raised with a catalogue message are worded in the caller's language
(:attr:`Context.language`) as the answer leaves: :class:`LocalizeErrors`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext

from marketplace.errors import MarketplaceError
from marketplace.i18n import DEFAULT_LANGUAGE, Language, id_of_english, render

__all__ = [
    "MASKED_MESSAGE",
    "LocalizeErrors",
    "ReportingSchema",
    "error_code",
    "is_client_error",
    "localize_error",
    "mask_internal_errors",
    "should_mask",
]

log = logging.getLogger(__name__)

MASKED_MESSAGE = "Internal server error."


def should_mask(error: GraphQLError) -> bool:
    """Mask errors whose cause is not an expected, client-facing one."""
    original = error.original_error
    if original is None:
        return False  # parse and validation errors: about the query itself
    return not isinstance(original, MarketplaceError | GraphQLError)


def error_code(error: GraphQLError) -> str:
    """The ``extensions.code`` of an error graphql-core raised about the request itself."""
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"  # a value that does not fit its variable's type
    return "GRAPHQL_VALIDATION_FAILED"


class _MaskErrors(MaskErrors):
    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked


class ReportingSchema(strawberry.Schema):
    """The schema, giving every error its code and logging each by what it is.

    Client errors (a bad document, bad input, no permission...) are routine: one INFO line
    without traceback. Anything else is a bug: ERROR with its traceback (the client sees it
    masked, :func:`mask_internal_errors`).
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_client_error(error):
                if not (error.extensions or {}).get("code"):
                    error.extensions = {**(error.extensions or {}), "code": error_code(error)}
                code = (error.extensions or {}).get("code")
                log.info("client error %s: %s", code, error.message)
            else:
                log.error("server error: %s", error.message, exc_info=error.original_error)


def is_client_error(error: GraphQLError) -> bool:
    """An error about the request (its document, input or rights), not a bug of ours."""
    return not should_mask(error)


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
