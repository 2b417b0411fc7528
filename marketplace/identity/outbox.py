"""The outbox: emails the platform would send, kept in the database.

Messages are written in the same transaction as what caused them (a sign-up), so a message
exists exactly when its cause was committed. These machines have no mail server: the rows
wait in ``outbox_message`` and tests read them. A deployment plugs a sender in by running
:func:`deliver_outbox` periodically with a :class:`MailSender` (for instance one built on
:mod:`smtplib`), which sends each unsent message and stamps ``sent_at``.

Confirmation links in the messages are secrets as long as they are valid: restrict reading
the table as you would the mailboxes.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlmodel import Session, col, select

from marketplace.models import OutboxMessage, utcnow

__all__ = ["MailSender", "deliver_outbox", "queue_message", "unsent_messages"]

_log = logging.getLogger(__name__)


class MailSender(Protocol):
    """Sends one email; raises when it could not (the message then stays unsent)."""

    def send(self, *, to: str, subject: str, body: str) -> None: ...


def queue_message(session: Session, *, to: str, kind: str, subject: str, body: str) -> None:
    """Add a message to the outbox (sent by :func:`deliver_outbox` after the commit)."""
    session.add(OutboxMessage(to_email=to, kind=kind, subject=subject, body=body))


def unsent_messages(session: Session, *, to: str | None = None) -> list[OutboxMessage]:
    """Messages not sent yet, oldest first; only those for ``to`` when given."""
    query = select(OutboxMessage).where(col(OutboxMessage.sent_at).is_(None))
    if to is not None:
        query = query.where(OutboxMessage.to_email == to)
    return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def deliver_outbox(session: Session, sender: MailSender, *, batch: int = 100) -> int:
    """Send up to ``batch`` unsent messages; returns how many were sent.

    Stops at the first message whose sending fails: it stays unsent and is tried again next
    time, while the ones sent before it are stamped. Commit after calling.
    """
    sent = 0
    for message in unsent_messages(session)[:batch]:
        try:
            sender.send(to=message.to_email, subject=message.subject, body=message.body)
        except Exception:
            _log.exception("sending outbox message %s failed; will retry", message.id)
            break
        message.sent_at = utcnow()
        session.add(message)
        sent += 1
    return sent
