"""Accounts in the caller's language: the sign-up answer and its email in the language the
person signed up in, sign-in and permission refusals worded for the reader."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from marketplace.identity import unsent_messages
from tests.marketplace.community_helpers import CONFIRM, PASSWORD, SIGN_UP, confirmation_token
from tests.marketplace.helpers import Api

SIGN_IN = """mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { token } }"""
VOTE = 'mutation { voteForSuggestion(id: "U3VnZ2VzdGlvbjox") { __typename } }'


def _mail(api: Api, email: str) -> tuple[str, str]:
    messages: list[tuple[str, str]] = api.db.call(
        lambda s: [(m.subject, m.body) for m in unsent_messages(s, to=email)]
    )
    assert len(messages) == 1, messages
    return messages[0]


@pytest.mark.parametrize(
    ("accept", "answer", "subject", "greeting"),
    [
        pytest.param(
            None,
            "Si cette adresse peut servir à un nouveau compte",
            "Issy Mobility : confirmez votre compte",
            "Bonjour Anne,\n\nPour créer votre compte Issy Mobility, ouvrez ce lien",
            id="default-fr",
        ),
        pytest.param(
            "en-US,en;q=0.8,fr;q=0.5",
            "If this email can be used for a new account",
            "Issy Mobility: confirm your account",
            "Hello Anne,\n\nTo create your Issy Mobility account, open this link",
            id="en",
        ),
    ],
)
def test_sign_up_answer_and_email_are_in_the_sign_up_language(
    api: Api, accept: str | None, answer: str, subject: str, greeting: str
) -> None:
    speaker = Api(api.client, language=accept)
    body = speaker.post(
        SIGN_UP, {"email": "anne@example.org", "password": PASSWORD, "name": "Anne"}
    )
    assert body["data"]["signUp"]["message"].startswith(answer)
    mail_subject, mail_body = _mail(api, "anne@example.org")
    assert mail_subject == subject
    assert mail_body.startswith(greeting)
    assert "/#/account/confirm?token=conf_" in mail_body


def test_the_notice_to_a_registered_email_is_in_the_sign_up_language(api: Api) -> None:
    english = Api(api.client, language="en")
    english.ok(SIGN_UP, {"email": "bea@example.org", "password": PASSWORD, "name": "Bea"})
    _, body = _mail(api, "bea@example.org")
    assert body.startswith("Hello Bea")
    # Confirm, then sign up again in French: the notice says so in French.
    english.ok(CONFIRM, {"token": confirmation_token(api, "bea@example.org")})
    Api(api.client, language="fr").ok(
        SIGN_UP, {"email": "bea@example.org", "password": PASSWORD, "name": "Bea"}
    )
    subjects = api.db.call(lambda s: [m.subject for m in unsent_messages(s, to="bea@example.org")])
    assert subjects[-1] == "Issy Mobility : vous avez déjà un compte"


@pytest.mark.parametrize(
    ("accept", "wrong", "refused"),
    [
        pytest.param(
            "fr",
            "adresse e-mail ou mot de passe incorrect",
            "pour voter, il faut un compte ; connectez-vous d'abord",
            id="fr",
        ),
        pytest.param(
            "en",
            "email or password is wrong",
            "voting needs an account; sign in first",
            id="en",
        ),
    ],
)
def test_refusals_are_worded_for_the_reader(
    api: Api, accept: str, wrong: str, refused: str
) -> None:
    speaker = Api(api.client, language=accept)
    error = speaker.error(SIGN_IN, {"email": "nobody@example.org", "password": "nope nope"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == wrong
    vote = speaker.error(VOTE)
    assert vote["extensions"]["code"] == "UNAUTHENTICATED"
    assert vote["message"].startswith(refused)


def test_a_websocket_or_a_link_can_ask_with_lang(api: Api) -> None:
    client: TestClient = api.client
    response = client.post(
        "/graphql?lang=en",
        json={"query": SIGN_IN, "variables": {"email": "x@example.org", "password": "p"}},
        headers={"Accept-Language": "fr"},
    )
    assert response.json()["errors"][0]["message"] == "email or password is wrong"
