"""``issy-mobility person create``: accounts for city staff and partners' members.

Residents sign up themselves through the API; planners and admins cannot (nobody may make
themselves a moderator), so the platform's operators create them here. The password is read
from standard input (``--password-stdin``) or asked for, never taken as an argument: command
lines end up in shell histories and process lists.
"""

from __future__ import annotations

import argparse
import getpass
import sys

__all__ = ["register"]

ROLES = {
    "resident": "RESIDENT",
    "partner-member": "PARTNER_MEMBER",
    "planner": "PLANNER",
    "admin": "ADMIN",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``person create``."""
    person = subparsers.add_parser("person", help="manage people's accounts")
    commands = person.add_subparsers(dest="person_command", required=True)
    create = commands.add_parser(
        "create", help="create an account (city planners and admins, partners' members)"
    )
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=sorted(ROLES))
    create.add_argument("--name", help="display name (default: the part before @)")
    create.add_argument(
        "--partner", help="partner id (number or global id), for --role partner-member"
    )
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    create.set_defaults(handler=_create)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _create(args: argparse.Namespace) -> int:
    from marketplace.api.relay import encode_global_id
    from marketplace.cli.ids import parse_cli_id
    from marketplace.db import Database
    from marketplace.errors import MarketplaceError
    from marketplace.identity.sessions import create_person
    from marketplace.models import PersonRole
    from marketplace.settings import Settings

    try:
        partner_id = (
            None
            if args.partner is None
            else parse_cli_id(args.partner, type_name="Partner", option="--partner")
        )
    except MarketplaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    password = _read_password(args.password_stdin)
    database = Database(Settings.from_environ().database_url)
    try:
        database.require_current_schema()
        person = database.call(
            lambda session: create_person(
                session,
                email=args.email,
                password=password,
                role=PersonRole[ROLES[args.role]],
                display_name=args.name,
                partner_id=partner_id,
            )
        )
    except MarketplaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    assert person.id is not None
    print(f"person id: {encode_global_id('Person', person.id)}")
    print(f"email:     {person.email}")
    print(f"role:      {args.role}")
    return 0
