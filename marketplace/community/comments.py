"""Threaded comments on suggestions, official answers of partners and the city among them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from marketplace.community.access import require_person
from marketplace.community.limits import (
    DEFAULT_POSTING_LIMIT,
    MAX_COMMENT,
    PostingLimit,
    check_posting_rate,
    clean_text,
)
from marketplace.community.paging import Page, SortKey, keyset_page
from marketplace.community.suggestions import get_suggestion, is_following
from marketplace.errors import Forbidden, InvalidInput, NotFound
from marketplace.events.changes import record_community_event
from marketplace.events.community import CommunityEvent, CommunityEventKind
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.models import Comment, SuggestionFollow

__all__ = ["add_comment", "get_comment", "list_comments", "replies_of"]

# Deeper threads read badly on a phone; answers to a deep comment join its parent's thread.
MAX_DEPTH = 5


def get_comment(session: Session, *, actor: Actor | None, comment_id: int) -> Comment:
    """A comment the caller may see (hidden ones, or on hidden suggestions, only moderators).

    Raises
    ------
    NotFound
    """
    comment = session.get(Comment, comment_id)
    if comment is None or (comment.hidden_at is not None and not (actor and actor.is_moderator)):
        raise NotFound(Message("community.comment_not_found", {"id": comment_id}))
    get_suggestion(session, actor=actor, suggestion_id=comment.suggestion_id)
    return comment


def _depth(session: Session, comment: Comment) -> int:
    depth = 0
    while comment.parent_id is not None and depth <= MAX_DEPTH:
        parent = session.get(Comment, comment.parent_id)
        if parent is None:
            break
        comment, depth = parent, depth + 1
    return depth


def add_comment(
    session: Session,
    *,
    actor: Actor | None,
    suggestion_id: int,
    text: str,
    parent_id: int | None = None,
    official: bool = False,
    limit: PostingLimit = DEFAULT_POSTING_LIMIT,
) -> Comment:
    """Comment on a suggestion, or answer a comment; the author follows the suggestion.

    ``official`` marks the answer of the author's partner (partner members) or of the city
    (planners and admins).

    Raises
    ------
    NotAuthenticated, Forbidden
        Anonymous, an API key, or a resident asking for ``official``.
    NotFound
        Unknown or hidden suggestion or parent comment.
    InvalidInput
        Empty or overlong text, or a parent on another suggestion.
    RateLimited
    """
    actor = require_person(actor, "commenting")
    assert actor.person_id is not None
    suggestion = get_suggestion(session, actor=None, suggestion_id=suggestion_id)
    text = clean_text("text", text, max_len=MAX_COMMENT)
    if official and actor.partner_id is None and not actor.is_planner:
        raise Forbidden("only partners' members and city staff answer officially")
    if parent_id is not None:
        parent = get_comment(session, actor=None, comment_id=parent_id)
        if parent.suggestion_id != suggestion_id:
            raise InvalidInput(
                f"comment {parent_id} belongs to another suggestion", field="parentId"
            )
        if _depth(session, parent) >= MAX_DEPTH:
            parent_id = parent.parent_id
    check_posting_rate(session, actor.person_id, limit)
    comment = Comment(
        suggestion_id=suggestion_id,
        parent_id=parent_id,
        author_id=actor.person_id,
        text=text,
        official=official,
        partner_id=actor.partner_id if official else None,
    )
    session.add(comment)
    assert suggestion.id is not None
    if not is_following(session, person_id=actor.person_id, suggestion_id=suggestion.id):
        session.add(SuggestionFollow(suggestion_id=suggestion.id, person_id=actor.person_id))
    session.flush()
    assert comment.id is not None
    record_community_event(
        session,
        CommunityEvent(
            kind=CommunityEventKind.NEW_COMMENT,
            suggestion_id=suggestion.id,
            status=suggestion.status,
            comment_id=comment.id,
            by_person_id=comment.author_id,
        ),
    )
    return comment


def list_comments(
    session: Session,
    *,
    actor: Actor | None,
    suggestion_id: int,
    first: int,
    after: tuple[int, int] | None,
) -> Page[Comment]:
    """The visible top-level comments of a suggestion, oldest first (threads read downward).

    Raises
    ------
    NotFound
    """
    get_suggestion(session, actor=actor, suggestion_id=suggestion_id)
    query = select(Comment).where(
        Comment.suggestion_id == suggestion_id,
        col(Comment.parent_id).is_(None),
        col(Comment.hidden_at).is_(None),
    )
    key = SortKey(col(Comment.id), col(Comment.id), descending=False)
    return keyset_page(session, query, sort=key, first=first, after=after)


def replies_of(session: Session, comment_ids: Sequence[int]) -> dict[int, list[Comment]]:
    """Visible direct answers of each comment, oldest first."""
    found: dict[int, list[Comment]] = {cid: [] for cid in comment_ids}
    if not found:
        return {}
    query = (
        select(Comment)
        .where(col(Comment.parent_id).in_(list(found)), col(Comment.hidden_at).is_(None))
        .order_by(col(Comment.id))
    )
    for comment in session.exec(query):
        assert comment.parent_id is not None
        found[comment.parent_id].append(comment)
    return found
