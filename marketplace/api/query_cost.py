"""How much work a GraphQL document may ask for, checked before any resolver runs.

One request with 40 aliased ``plan`` fields kept a server busy for 24 s (issue 13). Each
operation's cost is the sum over the fields it selects, fragments included as many times as
they are spread: a field costs 1, a field of :data:`FIELD_COSTS` (the trip planner, the
street map drawing) what one run of it costs relative to a plain field. An operation above
the limit, or with more aliases than allowed, is refused at validation (in milliseconds,
cached with the document's validation) with a message that states the limit and code
``QUERY_TOO_COSTLY``.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

__all__ = ["DEFAULT_MAX_ALIASES", "DEFAULT_MAX_COST", "FIELD_COSTS", "query_cost_rule"]

FIELD_COSTS: dict[str, int] = {"plan": 100, "streetMap": 50}
"""Root fields that start real work (a multimodal plan; drawing the streets of a box)."""

DEFAULT_MAX_COST = 1000
"""Up to nine plans in one request, with their selections."""

DEFAULT_MAX_ALIASES = 30
CODE = "QUERY_TOO_COSTLY"


def _selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
    counts: list[int],
) -> int:
    """Cost of a selection set; ``counts[0]`` accumulates aliases."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.alias is not None:
                counts[0] += 1
            own = FIELD_COSTS.get(selection.name.value, 1)
            total += own + _selection_cost(selection.selection_set, fragments, seen, counts)
        elif isinstance(selection, InlineFragmentNode):
            total += _selection_cost(selection.selection_set, fragments, seen, counts)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue  # unknown or cyclic: other validation rules report it
            total += _selection_cost(fragment.selection_set, fragments, seen | {name}, counts)
    return total


def operation_cost(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[int, int]:
    """``(cost, aliases)`` of one operation of a document."""
    counts = [0]
    cost = _selection_cost(operation.selection_set, fragments, frozenset(), counts)
    return cost, counts[0]


def query_cost_rule(*, max_cost: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing operations above ``max_cost`` or ``max_aliases``."""

    class QueryCostRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)

        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            fragments = {
                d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
            }
            for definition in node.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                cost, aliases = operation_cost(definition, fragments)
                name = f"operation {definition.name.value!r}" if definition.name else "the query"
                if aliases > max_aliases:
                    self.report_error(
                        GraphQLError(
                            f"{name} uses {aliases} aliases; at most {max_aliases} are "
                            "accepted per request: split it into several requests",
                            definition,
                            extensions={"code": CODE, "aliases": aliases, "limit": max_aliases},
                        )
                    )
                elif cost > max_cost:
                    self.report_error(
                        GraphQLError(
                            f"{name} costs {cost}; at most {max_cost} is accepted per request "
                            f"(a field costs 1, {_priced()}): split it into several requests",
                            definition,
                            extensions={"code": CODE, "cost": cost, "limit": max_cost},
                        )
                    )

    return QueryCostRule


def _priced() -> str:
    return ", ".join(f"`{name}` {cost}" for name, cost in FIELD_COSTS.items())
