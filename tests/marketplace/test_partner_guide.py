"""Every GraphQL example of the partner guide is valid against the schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from marketplace.api.schema import schema

GUIDE = Path(__file__).resolve().parents[2] / "marketplace" / "PARTNER_GUIDE.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def test_the_guide_has_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.split("{")[0].strip() for e in EXAMPLES])
def test_example_is_valid(example: str) -> None:
    errors = validate(schema._schema, parse(example))
    assert not errors, [e.message for e in errors]
