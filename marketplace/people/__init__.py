"""People's accounts: credentials, sign-up and sign-in, sessions."""

from marketplace.people.credentials import (
    check_password,
    hash_password,
    normalise_email,
    use_hasher,
    verify_password,
)
from marketplace.people.sessions import (
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
    sign_up,
)

__all__ = [
    "SESSION_PREFIX",
    "SignInLimit",
    "SignInRefused",
    "StartedSession",
    "attempt_sign_in",
    "authenticate_session",
    "check_password",
    "create_person",
    "hash_password",
    "is_session_token",
    "normalise_email",
    "sign_out",
    "sign_out_everywhere",
    "sign_up",
    "use_hasher",
    "verify_password",
]
