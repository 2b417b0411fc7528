"""Emails and passwords: normalisation, rules with clear messages, argon2id hashing.

Passwords follow NIST SP 800-63B rather than composition rules: long enough, not absurdly
long, not a well-known password, not the email itself. Hashes are argon2id (argon2-cffi's
RFC 9106 "low memory" defaults); a hash made with older parameters is upgraded at the next
successful sign-in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from marketplace.errors import InvalidInput
from marketplace.i18n import Message

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_display_name",
    "check_password",
    "hash_password",
    "needs_rehash",
    "normalise_email",
    "sha256_hex",
    "use_hasher",
    "verify_password",
    "waste_verification_time",
]

MIN_PASSWORD_LENGTH = 10
# argon2 takes any length, but megabyte "passwords" are a cheap way to burn server CPU.
MAX_PASSWORD_LENGTH = 256
MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
# The most used passwords of public breach corpora that pass the length rule.
_COMMON = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "1q2w3e4r5t",
        "qwertyuiop",
        "azertyuiop",
        "password12",
        "password123",
        "password1234",
        "motdepasse",
        "motdepasse1",
        "iloveyou12",
        "abcdefghij",
        "0000000000",
        "1111111111",
        "qwerty1234",
        "azerty1234",
        "football10",
        "soleil1234",
        "bonjour123",
    }
)

_hasher = PasswordHasher()
_dummy_hashes: dict[int, str] = {}


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the password hasher (tests use cheap parameters); returns the previous one."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def normalise_email(email: str) -> str:
    """The canonical form of an email address: NFKC, trimmed, lower-cased.

    Lower-casing the local part is not what RFC 5321 says, but every mail provider people
    use treats it case-insensitively, and two accounts for ``Anne@`` and ``anne@`` would be
    a trap.

    Raises
    ------
    InvalidInput
        Not of the form ``name@domain.tld``, or longer than 254 characters.
    """
    cleaned = unicodedata.normalize("NFKC", email).strip().lower()
    if len(cleaned) > MAX_EMAIL_LENGTH or not _EMAIL.match(cleaned):
        raise InvalidInput(
            "email must look like name@example.org (at most 254 characters)", field="email"
        )
    return cleaned


def check_password(password: str, *, email: str | None = None) -> None:
    """Refuse weak passwords, saying which rule failed.

    Raises
    ------
    InvalidInput
        Shorter than 10 or longer than 256 characters, a well-known password, one repeated
        character, or the email address itself.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            Message(
                "credentials.password_short",
                {"length": len(password), "minimum": MIN_PASSWORD_LENGTH},
            ),
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            Message(
                "credentials.password_long",
                {"length": len(password), "maximum": MAX_PASSWORD_LENGTH},
            ),
            field="password",
        )
    lowered = password.strip().lower()
    if lowered in _COMMON or len(set(lowered)) <= 2:
        raise InvalidInput(
            "password is too easy to guess (a well-known or repetitive password); choose another",
            field="password",
        )
    if email is not None and lowered in {email.lower(), email.lower().split("@")[0]}:
        raise InvalidInput("password must not be your email address", field="password")


def check_display_name(name: str) -> str:
    """A trimmed display name of 1 to 80 characters, without control characters.

    Raises
    ------
    InvalidInput
    """
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 80:
        raise InvalidInput("displayName must be 1 to 80 characters", field="displayName")
    if any(unicodedata.category(ch) == "Cc" for ch in cleaned):
        raise InvalidInput("displayName must not contain control characters", field="displayName")
    return cleaned


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``, in PHC string format."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (constant time, never raises)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current hasher's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def waste_verification_time(password: str) -> None:
    """Spend what verifying a password costs, for sign-ins with an unknown email: both
    failures then take as long, and timing tells nothing about who has an account."""
    key = id(_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash("not a real password, only for timing")
    verify_password(_dummy_hashes[key], password)


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text`` in hex: how API key secrets, session and sign-up tokens and
    rate-limit keys are stored, so a database leak reveals none of them."""
    return hashlib.sha256(text.encode()).hexdigest()
