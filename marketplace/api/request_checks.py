"""What a GraphQL request may hold, checked before any resolver runs.

Strawberry's HTTP parser lets malformed bodies through as plain-text 500s: a body ``42``
(``AttributeError``), bytes that are not UTF-8 (``UnicodeDecodeError``), JSON nested thousands
deep (``RecursionError``). And text with NUL reaches PostgreSQL, which refuses it mid-
transaction. So each request is checked at the door:

- the HTTP body must be a UTF-8 JSON object (:func:`parse_request_json`, answered with a JSON
  400 ``BAD_REQUEST`` by the view);
- subscriptions come over WebSocket only; variables are nested at most
  :data:`MAX_VARIABLES_DEPTH` deep and their text follows :mod:`marketplace.text`
  (:class:`CheckRequest`, over HTTP and WebSocket alike);
- string literals in the document follow the same rule (:class:`TextLiteralRule`, cached
  with the document's validation).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from marketplace.errors import InvalidInput
from marketplace.text import ACCEPTED_TEXT, check_text, forbidden_character

__all__ = [
    "MAX_VARIABLES_DEPTH",
    "BadRequest",
    "CheckRequest",
    "TextLiteralRule",
    "check_variables",
    "parse_request_json",
]

MAX_VARIABLES_DEPTH = 32
"""Deepest nesting of objects and lists in variables; the deepest input of the schema (a
polygon's rings of points) needs 4."""

_REQUEST_SHAPE = '{"query": "...", "variables": {...}, "operationName": "..."}'


class BadRequest(Exception):
    """The HTTP request is no GraphQL request at all; answered with a JSON 4xx."""

    def __init__(self, message: str, *, status: int = 400, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def parse_request_json(data: str | bytes) -> dict[str, Any]:
    """The JSON object of a request body (or of a GET parameter).

    Raises
    ------
    BadRequest
        Not UTF-8, not JSON, nested too deep for the parser, or not an object.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"the request body is not UTF-8 (invalid byte at offset {exc.start}); send JSON "
            f"encoded as UTF-8: {_REQUEST_SHAPE}"
        ) from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"the request body is not JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}); send {_REQUEST_SHAPE}"
        ) from None
    except RecursionError:
        raise BadRequest(
            f"the request body nests JSON too deep; variables may nest at most "
            f"{MAX_VARIABLES_DEPTH} levels"
        ) from None
    if not isinstance(parsed, dict):
        raise BadRequest(
            f"the request body is a JSON {type(parsed).__name__}, not an object; send "
            f"{_REQUEST_SHAPE} (batches are not accepted)"
        )
    return parsed


def check_variables(value: object, *, path: str = "variables", depth: int = 0) -> None:
    """Check nesting depth and text of every key and string in ``value``.

    Raises
    ------
    InvalidInput
        Nested deeper than :data:`MAX_VARIABLES_DEPTH`, or text breaking
        :mod:`marketplace.text`'s rule; the message names the variable's path.
    """
    if depth > MAX_VARIABLES_DEPTH:
        raise InvalidInput(
            f"{path} nests objects or lists more than {MAX_VARIABLES_DEPTH} levels deep; no "
            "input of this API needs more",
            field=path,
        )
    if isinstance(value, str):
        check_text(value, field=path)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(str(key), field=f"{path} key")
            check_variables(item, path=f"{path}.{key}", depth=depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_variables(item, path=f"{path}[{index}]", depth=depth + 1)


class SubscriptionOverHttp(InvalidOperationTypeError):
    """A subscription sent over plain HTTP: strawberry would run it as a query and fail on
    its stream. Re-raised by strawberry to the view, which answers a JSON 400."""

    def __init__(self) -> None:
        super().__init__(OperationType.SUBSCRIPTION)

    def as_http_error_reason(self, method: str) -> str:
        return (
            f"subscriptions are not served over {method}: open a WebSocket to /graphql with "
            "the graphql-transport-ws protocol; queries and mutations go over POST"
        )


class CheckRequest(SchemaExtension):
    """Before execution: subscriptions only over WebSocket, variables nested at most
    :data:`MAX_VARIABLES_DEPTH` deep and holding only text :mod:`marketplace.text` accepts."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        connection = getattr(context.context, "connection", None)
        if context.operation_type is OperationType.SUBSCRIPTION and not isinstance(
            connection, WebSocket
        ):
            raise SubscriptionOverHttp
        check_variables(context.variables or {})
        yield


class TextLiteralRule(ValidationRule):
    """Refuse string literals that break :mod:`marketplace.text`'s rule
    (``services(filter: {text: "a\\u0000"})``) with ``BAD_USER_INPUT``."""

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        found = forbidden_character(node.value)
        if found is not None:
            position, character = found
            self.report_error(
                GraphQLError(
                    f"a string literal holds the character U+{ord(character):04X} at position "
                    f"{position}; {ACCEPTED_TEXT}",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )
