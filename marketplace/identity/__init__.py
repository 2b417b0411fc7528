"""Identity: partners and their API keys (:mod:`~marketplace.identity.partners`), who is calling
(:mod:`~marketplace.identity.actors`), and people's accounts: credentials, sign-up confirmed by
email, sign-in, sessions, outbox."""

from marketplace.identity.credentials import (
    check_password,
    hash_password,
    normalise_email,
    use_hasher,
    verify_password,
)
from marketplace.identity.outbox import MailSender, deliver_outbox, unsent_messages
from marketplace.identity.sessions import (
    SESSION_PREFIX,
    SignInLimit,
    SignInRefused,
    StartedSession,
    attempt_sign_in,
    authenticate_session,
    create_person,
    is_session_token,
    sign_out,
    sign_out_everywhere,
)
from marketplace.identity.signup import (
    SignUpAccepted,
    SignUpLimit,
    confirm_sign_up,
    request_sign_up,
)

__all__ = [
    "SESSION_PREFIX",
    "MailSender",
    "SignInLimit",
    "SignInRefused",
    "SignUpAccepted",
    "SignUpLimit",
    "StartedSession",
    "attempt_sign_in",
    "authenticate_session",
    "check_password",
    "confirm_sign_up",
    "create_person",
    "deliver_outbox",
    "hash_password",
    "is_session_token",
    "normalise_email",
    "request_sign_up",
    "sign_out",
    "sign_out_everywhere",
    "unsent_messages",
    "use_hasher",
    "verify_password",
]
