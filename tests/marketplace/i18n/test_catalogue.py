"""The message catalogue: both languages word every id with the same placeholders, and every
id the code names exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from graphql import GraphQLError

from marketplace.api.errors import localize_error
from marketplace.errors import Forbidden, MarketplaceError, NotFound
from marketplace.i18n import MESSAGE_IDS, Message, id_of_english, language_of, render
from marketplace.i18n.en import MESSAGES as EN
from marketplace.i18n.fr import MESSAGES as FR
from routing.planning.notices import PlanErrorCode, PlanWarningCode
from routing.street.steps import Turn

MARKETPLACE = Path(__file__).resolve().parents[3] / "marketplace"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_hold_the_same_ids_and_placeholders() -> None:
    assert set(EN) == set(FR)
    for key in EN:
        assert _placeholders(EN[key]) == _placeholders(FR[key]), key


def test_every_code_the_api_can_send_has_words() -> None:
    for code in PlanErrorCode:
        assert f"routing.{code}" in MESSAGE_IDS
    for warning in PlanWarningCode:
        assert f"warning.{warning}" in MESSAGE_IDS
    for turn in Turn:
        assert turn is Turn.DEPART or f"step.{turn.value}" in MESSAGE_IDS


def test_every_message_id_named_in_the_code_exists() -> None:
    named: set[str] = set()
    for path in MARKETPLACE.rglob("*.py"):
        named |= set(re.findall(r'Message\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    assert len(named) > 30
    assert named <= MESSAGE_IDS, named - MESSAGE_IDS


def test_a_message_renders_nested_messages_in_the_same_language() -> None:
    refused = Message("community.needs_account", {"doing": Message("doing.voting")})
    assert refused.render("fr").startswith("pour voter, il faut un compte")
    assert refused.render("en").startswith("voting needs an account")


def test_an_unknown_id_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.message"):
        Message("no.such.message")


def test_an_error_keeps_english_for_logs_and_words_itself_for_its_reader() -> None:
    error = NotFound(Message("community.suggestion_not_found", {"id": 7}))
    assert str(error) == error.message == "no suggestion with id 7"
    assert error.localized("fr") == "aucune suggestion n° 7"
    assert NotFound("plain text").localized("fr") == "plain text"


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        pytest.param("en-GB", "en", id="region"),
        pytest.param("FR", "fr", id="upper"),
        pytest.param("fr_CA", "fr", id="underscore"),
        pytest.param("de", None, id="unsupported"),
        pytest.param("", None, id="empty"),
    ],
)
def test_language_of_tags(tag: str, language: str | None) -> None:
    assert language_of(tag) == language


def test_plain_english_constants_find_their_id() -> None:
    assert id_of_english("email or password is wrong") == "auth.wrong_credentials"
    assert render("fr", "auth.wrong_credentials") == "adresse e-mail ou mot de passe incorrect"
    assert id_of_english("API key {prefix} was revoked; create a new one") is None


@pytest.mark.parametrize(
    ("raised", "french"),
    [
        pytest.param(
            Forbidden("you cannot vote for your own idea"),
            "vous ne pouvez pas voter pour votre propre idée",
            id="plain-english-constant",
        ),
        pytest.param(
            NotFound(Message("community.review_not_found", {"id": 3})),
            "aucun avis n° 3",
            id="catalogue-message",
        ),
        pytest.param(
            Forbidden("a sentence the catalogue does not hold"),
            "a sentence the catalogue does not hold",
            id="left-as-raised",
        ),
    ],
)
def test_errors_leaving_the_api_are_worded_for_the_reader(
    raised: MarketplaceError, french: str
) -> None:
    error = GraphQLError(raised.message, original_error=raised)
    localize_error(error, "fr")
    assert error.message == french
    localize_error(error, "en")
    assert error.message == raised.message
