"""GraphQL types of moderation: reports and the audit trail of decisions."""

from __future__ import annotations

from datetime import datetime

import strawberry

from marketplace.api.community.types import person_of
from marketplace.api.context import Info
from marketplace.api.identity.types import PersonType
from marketplace.api.relay import encode_global_id
from marketplace.models import ContentKind, ContentReport, ModerationAction, ModerationDecision

__all__ = [
    "CONTENT_TYPE_NAMES",
    "ContentKind",
    "ModerationActionType",
    "ModerationDecision",
    "ReportType",
]

strawberry.enum(ContentKind, description="Community content that can be reported and hidden.")
strawberry.enum(ModerationDecision, description="HIDE or RESTORE.")

CONTENT_TYPE_NAMES = {
    ContentKind.REVIEW: "Review",
    ContentKind.SUGGESTION: "Suggestion",
    ContentKind.COMMENT: "Comment",
    ContentKind.PROPOSAL: "Proposal",
}
"""The GraphQL type (and global-id prefix) of each kind of content."""


@strawberry.type(name="ContentReport", description="A person's report of abusive content.")
class ReportType:
    id: strawberry.ID
    content_kind: ContentKind
    content_id: strawberry.ID
    reason: str
    created_at: datetime
    resolved_at: datetime | None
    reporter_db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ContentReport) -> ReportType:
        assert row.id is not None
        return cls(
            id=encode_global_id("ContentReport", row.id),
            content_kind=row.content_kind,
            content_id=encode_global_id(CONTENT_TYPE_NAMES[row.content_kind], row.content_id),
            reason=row.reason,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
            reporter_db_id=row.reporter_id,
        )

    @strawberry.field
    async def reporter(self, info: Info) -> PersonType | None:
        return await person_of(info, self.reporter_db_id)


@strawberry.type(
    name="ModerationAction", description="A moderator hid or restored content: the audit trail."
)
class ModerationActionType:
    content_kind: ContentKind
    content_id: strawberry.ID
    decision: ModerationDecision
    reason: str
    at: datetime
    moderator_db_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: ModerationAction) -> ModerationActionType:
        return cls(
            content_kind=row.content_kind,
            content_id=encode_global_id(CONTENT_TYPE_NAMES[row.content_kind], row.content_id),
            decision=row.decision,
            reason=row.reason,
            at=row.at,
            moderator_db_id=row.moderator_id,
        )

    @strawberry.field
    async def moderator(self, info: Info) -> PersonType | None:
        return await person_of(info, self.moderator_db_id)
