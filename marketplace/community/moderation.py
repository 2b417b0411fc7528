"""Reports of abusive content, and moderators hiding or restoring it with a reason.

Nothing is deleted: hiding sets ``hidden_at`` and appends a :class:`ModerationAction`;
restoring clears it and appends another. The trail of a piece of content is the list of
those actions, oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from marketplace.community.access import require_moderator, require_person
from marketplace.community.limits import (
    DEFAULT_POSTING_LIMIT,
    MAX_REASON,
    PostingLimit,
    check_posting_rate,
    clean_text,
)
from marketplace.errors import Conflict, NotFound
from marketplace.identity.actors import Actor
from marketplace.models import (
    Comment,
    ContentKind,
    ContentReport,
    ModerationAction,
    ModerationDecision,
    Proposal,
    Review,
    Suggestion,
    utcnow,
)

__all__ = [
    "CONTENT_MODELS",
    "moderate",
    "moderation_trail",
    "open_reports",
    "report_content",
]

Content = Review | Suggestion | Comment | Proposal

CONTENT_MODELS: dict[ContentKind, type[Content]] = {
    ContentKind.REVIEW: Review,
    ContentKind.SUGGESTION: Suggestion,
    ContentKind.COMMENT: Comment,
    ContentKind.PROPOSAL: Proposal,
}


def _content(session: Session, kind: ContentKind, content_id: int) -> Content:
    row: Content | None = session.get(CONTENT_MODELS[kind], content_id)  # type: ignore[assignment]
    if row is None:
        raise NotFound(f"no {kind.value} with id {content_id}")
    return row


def report_content(
    session: Session,
    *,
    actor: Actor | None,
    kind: ContentKind,
    content_id: int,
    reason: str,
    limit: PostingLimit = DEFAULT_POSTING_LIMIT,
) -> ContentReport:
    """A signed-in person reports content; reporting the same thing again changes nothing.

    Raises
    ------
    NotAuthenticated, Forbidden
        Anonymous or an API key.
    NotFound
        Unknown or already hidden content.
    InvalidInput
        Empty or overlong reason.
    RateLimited
    """
    actor = require_person(actor, "reporting content")
    assert actor.person_id is not None
    content = _content(session, kind, content_id)
    if content.hidden_at is not None:
        raise NotFound(f"no {kind.value} with id {content_id}")
    reason = clean_text("reason", reason, max_len=MAX_REASON)
    existing = session.exec(
        select(ContentReport).where(
            ContentReport.content_kind == kind,
            ContentReport.content_id == content_id,
            ContentReport.reporter_id == actor.person_id,
        )
    ).first()
    if existing is not None:
        return existing
    check_posting_rate(session, actor.person_id, limit)
    report = ContentReport(
        content_kind=kind, content_id=content_id, reporter_id=actor.person_id, reason=reason
    )
    session.add(report)
    session.flush()
    return report


def moderate(
    session: Session,
    *,
    actor: Actor | None,
    kind: ContentKind,
    content_id: int,
    decision: ModerationDecision,
    reason: str,
) -> ModerationAction:
    """Hide or restore content, with a reason kept in the audit trail; the open reports on
    it are resolved.

    Raises
    ------
    NotAuthenticated, Forbidden
        Not a city admin.
    NotFound
    InvalidInput
        No reason.
    Conflict
        Hiding hidden content, or restoring visible content.
    """
    actor = require_moderator(actor, "moderating")
    reason = clean_text("reason", reason, max_len=MAX_REASON)
    content = _content(session, kind, content_id)
    now = utcnow()
    if decision is ModerationDecision.HIDE:
        if content.hidden_at is not None:
            raise Conflict(f"{kind.value} {content_id} is hidden already")
        content.hidden_at = now
    else:
        if content.hidden_at is None:
            raise Conflict(f"{kind.value} {content_id} is not hidden")
        content.hidden_at = None
    session.add(content)
    action = ModerationAction(
        content_kind=kind,
        content_id=content_id,
        decision=decision,
        reason=reason,
        moderator_id=actor.person_id,
        at=now,
    )
    session.add(action)
    for report in session.exec(
        select(ContentReport).where(
            ContentReport.content_kind == kind,
            ContentReport.content_id == content_id,
            col(ContentReport.resolved_at).is_(None),
        )
    ):
        report.resolved_at = now
        session.add(report)
    session.flush()
    return action


def moderation_trail(
    session: Session, *, actor: Actor | None, kind: ContentKind, content_id: int
) -> list[ModerationAction]:
    """Every moderation action on a piece of content, oldest first (moderators only).

    Raises
    ------
    NotAuthenticated, Forbidden
    """
    require_moderator(actor, "reading the moderation trail")
    query = (
        select(ModerationAction)
        .where(ModerationAction.content_kind == kind, ModerationAction.content_id == content_id)
        .order_by(col(ModerationAction.id))
    )
    return list(session.exec(query))


def open_reports(
    session: Session, *, actor: Actor | None, kinds: Sequence[ContentKind] = ()
) -> list[ContentReport]:
    """Unresolved reports, oldest first: the moderators' queue.

    Raises
    ------
    NotAuthenticated, Forbidden
    """
    require_moderator(actor, "reading reports")
    query = select(ContentReport).where(col(ContentReport.resolved_at).is_(None))
    if kinds:
        query = query.where(col(ContentReport.content_kind).in_(list(kinds)))
    return list(session.exec(query.order_by(col(ContentReport.id)).limit(500)))
