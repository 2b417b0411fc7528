"""Live community events (new comments, status changes) on the shared broadcast channel.

They travel on the live-update bus of :mod:`marketplace.events.live` (in process, or through
Redis across server processes), on a channel of their own so catalogue listeners never see
them.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.models import SuggestionStatus, utcnow

__all__ = ["CHANNEL", "CommunityEvent", "CommunityEventKind", "decode_event", "encode_event"]

CHANNEL = "issy-mobility.community"


class CommunityEventKind(enum.Enum):
    """What happened to a suggestion."""

    NEW_COMMENT = "new_comment"
    STATUS_CHANGED = "status_changed"


@dataclass(frozen=True, slots=True)
class CommunityEvent:
    """A committed change to a suggestion that its followers hear of."""

    kind: CommunityEventKind
    suggestion_id: int
    status: SuggestionStatus
    comment_id: int | None = None
    by_person_id: int | None = None
    at: datetime = field(default_factory=utcnow)


def encode_event(event: CommunityEvent) -> str:
    """JSON for the wire."""
    return json.dumps(
        {
            "kind": event.kind.value,
            "suggestion_id": event.suggestion_id,
            "status": event.status.name,
            "comment_id": event.comment_id,
            "by_person_id": event.by_person_id,
            "at": event.at.isoformat(),
        }
    )


def decode_event(message: str) -> CommunityEvent:
    """The event of :func:`encode_event`.

    Raises
    ------
    KeyError, ValueError
        A malformed message.
    """
    data = json.loads(message)
    return CommunityEvent(
        kind=CommunityEventKind(data["kind"]),
        suggestion_id=int(data["suggestion_id"]),
        status=SuggestionStatus[data["status"]],
        comment_id=data["comment_id"],
        by_person_id=data["by_person_id"],
        at=datetime.fromisoformat(data["at"]),
    )
