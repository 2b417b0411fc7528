"""Limits that keep the community usable: text lengths and posting rates.

Rates are counted from the content tables themselves (rows the person wrote in the last
minute and hour), so the limit holds across server processes without another store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from marketplace.catalogue.validation import check_text
from marketplace.errors import RateLimited
from marketplace.i18n import Message
from marketplace.models import Comment, ContentReport, Review, Suggestion, utcnow

__all__ = [
    "DEFAULT_POSTING_LIMIT",
    "MAX_COMMENT",
    "MAX_REASON",
    "MAX_REVIEW",
    "MAX_TEXT",
    "MAX_TITLE",
    "PostingLimit",
    "check_posting_rate",
    "clean_text",
]

MAX_TITLE = 150
MAX_TEXT = 5000
MAX_REVIEW = 2000
MAX_COMMENT = 2000
MAX_REASON = 1000


@dataclass(frozen=True, slots=True)
class PostingLimit:
    """At most ``per_minute`` and ``per_hour`` posts (reviews, suggestions, comments,
    reports) by one person."""

    per_minute: int = 5
    per_hour: int = 60


DEFAULT_POSTING_LIMIT = PostingLimit()


def clean_text(field: str, value: str, *, max_len: int, required: bool = True) -> str:
    """Trim and check a text's length.

    Texts are stored exactly as written (no HTML escaping or stripping): they are data, and
    every client shows them as text. Escaping here would garble "<3" and "A -> B", and
    sanitising would give a false sense that rendering them as markup is safe.

    Raises
    ------
    InvalidInput
        Empty (when required) or longer than ``max_len``; the message gives both lengths.
    """
    return check_text(field, value, max_len=max_len, required=required)


def _count_since(session: Session, person_id: int, since: datetime) -> int:
    total = 0
    for model, author, created in (
        (Review, Review.author_id, Review.created_at),
        (Suggestion, Suggestion.author_id, Suggestion.created_at),
        (Comment, Comment.author_id, Comment.created_at),
        (ContentReport, ContentReport.reporter_id, ContentReport.created_at),
    ):
        query = (
            select(func.count())
            .select_from(model)
            .where(col(author) == person_id, col(created) >= since)
        )
        total += int(session.exec(query).one())
    return total


def check_posting_rate(
    session: Session, person_id: int, limit: PostingLimit = DEFAULT_POSTING_LIMIT
) -> None:
    """Refuse a post when the person has posted too much lately.

    Raises
    ------
    RateLimited
        With how long to wait.
    """
    now = utcnow()
    if _count_since(session, person_id, now - timedelta(minutes=1)) >= limit.per_minute:
        raise RateLimited(
            Message("community.posting_too_fast", {"per_minute": limit.per_minute}),
            retryAfterSeconds=60,
        )
    if _count_since(session, person_id, now - timedelta(hours=1)) >= limit.per_hour:
        raise RateLimited(
            Message("community.posted_too_much", {"per_hour": limit.per_hour}),
            retryAfterSeconds=3600,
        )
