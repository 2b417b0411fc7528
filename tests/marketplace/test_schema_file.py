"""The committed schema.graphql is the schema the code builds."""

from __future__ import annotations

from marketplace.api.schema import SCHEMA_FILE, schema_sdl


def test_schema_graphql_is_up_to_date() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert committed == schema_sdl(), (
        f"{SCHEMA_FILE.name} is stale; regenerate it with "
        "`.venv/bin/issy-mobility export-schema` (or `python -m marketplace.cli export-schema`) "
        "and commit the result"
    )
