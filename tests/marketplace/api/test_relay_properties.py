"""Property tests of id decoding: every id the API gives decodes to itself; any other text
is refused as not an id (or not found beyond the row range), never read as another row."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.api.relay import (
    MAX_DATABASE_ID,
    decode_global_id,
    encode_global_id,
    encode_opaque,
    parse_integer,
)
from marketplace.cli.ids import parse_cli_id
from marketplace.errors import InvalidInput, NotFound

TYPES = st.sampled_from(["MobilityService", "Station", "Partner", "Suggestion", "Person"])
FAST = settings(max_examples=300, deadline=None)


@FAST
@given(type_name=TYPES, db_id=st.integers(1, MAX_DATABASE_ID))
def test_ids_given_by_the_api_decode_to_their_row(type_name: str, db_id: int) -> None:
    global_id = encode_global_id(type_name, db_id)
    assert decode_global_id(global_id, expected=type_name) == (type_name, db_id)
    assert parse_cli_id(global_id, type_name=type_name, option="--id") == db_id
    assert parse_cli_id(str(db_id), type_name=type_name, option="--id") == db_id


@FAST
@given(token=st.text(max_size=40) | st.text(max_size=20).map(encode_opaque))
def test_any_other_text_is_refused_or_is_canonical(token: str) -> None:
    try:
        type_name, db_id = decode_global_id(token)
    except (InvalidInput, NotFound):
        return
    assert 1 <= db_id <= MAX_DATABASE_ID
    assert encode_global_id(type_name, db_id) == token  # one spelling per row


@FAST
@given(raw=st.text(max_size=12))
def test_integers_are_ascii_and_canonical(raw: str) -> None:
    number = parse_integer(raw)
    if number is not None:
        assert str(number) == raw


@FAST
@given(raw=st.text(max_size=24))
def test_cli_ids_are_in_the_row_range_or_refused(raw: str) -> None:
    try:
        db_id = parse_cli_id(raw, type_name="Partner", option="--partner")
    except (InvalidInput, NotFound) as refused:
        assert refused.message
        return
    assert 1 <= db_id <= MAX_DATABASE_ID


@pytest.mark.parametrize("raw", ["１", " 1", "1 ", "+1", "٣", "1_000", "0x1", "1e3"])
def test_lookalikes_of_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        parse_cli_id(raw, type_name="Partner", option="--partner")
