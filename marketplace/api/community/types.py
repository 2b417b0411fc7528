"""GraphQL types of co-creation: reviews, suggestions, comments, challenges, proposals."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from marketplace.api.catalogue.types import ServiceKind, ServiceType
from marketplace.api.context import Info
from marketplace.api.identity.types import PartnerType, PersonType
from marketplace.api.paging import (
    decode_keyset_cursor,
    keyset_connection,
    page_size,
)
from marketplace.api.relay import Connection, Node, encode_global_id
from marketplace.catalogue.access import can_view
from marketplace.community.challenges import ProposalSort, list_proposals
from marketplace.community.comments import list_comments
from marketplace.community.reviews import ReviewSort
from marketplace.community.suggestions import SuggestionSort, status_history, suggestion_kinds
from marketplace.models import (
    Challenge,
    Comment,
    Proposal,
    Review,
    Suggestion,
    SuggestionStatus,
    SuggestionStatusChange,
    utcnow,
)

__all__ = [
    "ChallengeType",
    "CommentType",
    "OfficialReplyType",
    "ProposalSort",
    "ProposalType",
    "ReviewSort",
    "ReviewType",
    "StatusChangeType",
    "SuggestionSort",
    "SuggestionStatus",
    "SuggestionType",
    "person_of",
]

strawberry.enum(SuggestionStatus, description="NEW -> UNDER_STUDY -> PLANNED -> DONE, or DECLINED.")
strawberry.enum(SuggestionSort, description="NEWEST first, or MOST_VOTED first.")
strawberry.enum(ReviewSort, description="NEWEST first, BEST_RATED first, or WORST_RATED first.")
strawberry.enum(ProposalSort, description="NEWEST first, or MOST_VOTED first.")


async def person_of(info: Info, person_id: int | None) -> PersonType | None:
    """The person of an author or decider id, through the request's loader (null if none)."""
    if person_id is None:
        return None
    row = await info.context.community.person.load(person_id)
    return PersonType.from_row(row) if row is not None else None


async def _partner(info: Info, partner_id: int | None) -> PartnerType | None:
    if partner_id is None:
        return None
    row = await info.context.loaders.partner.load(partner_id)
    return PartnerType.from_row(row) if row is not None else None


async def _service(info: Info, service_id: int | None) -> ServiceType | None:
    if service_id is None:
        return None
    row = await info.context.loaders.service.load(service_id)
    actor = await info.context.actor()
    return ServiceType.from_row(row) if row is not None and can_view(actor, row) else None


@strawberry.type(name="OfficialReply", description="The answer of the partner running a service.")
class OfficialReplyType:
    text: str
    replied_at: datetime
    partner_db_id: strawberry.Private[int]
    by_db_id: strawberry.Private[int | None]

    @strawberry.field(description="The partner answering.")
    async def partner(self, info: Info) -> PartnerType | None:
        return await _partner(info, self.partner_db_id)

    @strawberry.field(description="The partner's member who wrote it; null for an API key.")
    async def by(self, info: Info) -> PersonType | None:
        return await person_of(info, self.by_db_id)


@strawberry.type(name="Review", description="A resident's rating and text about a service.")
class ReviewType(Node):
    id: strawberry.ID
    rating: int = strawberry.field(description="1 to 5 stars.")
    text: str = strawberry.field(description="Plain text, exactly as written: show it as text.")
    created_at: datetime
    updated_at: datetime
    hidden_at: datetime | None = strawberry.field(description="Set when a moderator hid it.")
    db_id: strawberry.Private[int]
    author_db_id: strawberry.Private[int]
    service_db_id: strawberry.Private[int]
    row: strawberry.Private[Review]

    @classmethod
    def from_row(cls, row: Review) -> ReviewType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Review", row.id),
            rating=row.rating,
            text=row.text,
            created_at=row.created_at,
            updated_at=row.updated_at,
            hidden_at=row.hidden_at,
            db_id=row.id,
            author_db_id=row.author_id,
            service_db_id=row.service_id,
            row=row,
        )

    @strawberry.field
    async def author(self, info: Info) -> PersonType | None:
        return await person_of(info, self.author_db_id)

    @strawberry.field
    async def service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.service_db_id)

    @strawberry.field(description="The answer of the partner running the service, if any.")
    async def reply(self, info: Info) -> OfficialReplyType | None:
        if self.row.reply_text is None or self.row.replied_at is None:
            return None
        row = await info.context.loaders.service.load(self.service_db_id)
        if row is None:
            return None
        return OfficialReplyType(
            text=self.row.reply_text,
            replied_at=self.row.replied_at,
            partner_db_id=row.partner_id,
            by_db_id=self.row.reply_by_id,
        )


@strawberry.type(name="SuggestionStatusChange", description="Who moved a suggestion, and why.")
class StatusChangeType:
    from_status: SuggestionStatus
    to_status: SuggestionStatus
    reason: str
    at: datetime
    decided_by_db_id: strawberry.Private[int | None]
    partner_db_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: SuggestionStatusChange) -> StatusChangeType:
        return cls(
            from_status=row.from_status,
            to_status=row.to_status,
            reason=row.reason,
            at=row.at,
            decided_by_db_id=row.decided_by_id,
            partner_db_id=row.partner_id,
        )

    @strawberry.field(description="The person who decided; null for a partner's API key.")
    async def decided_by(self, info: Info) -> PersonType | None:
        return await person_of(info, self.decided_by_db_id)

    @strawberry.field(description="The partner the decision was made for; null for the city.")
    async def partner(self, info: Info) -> PartnerType | None:
        return await _partner(info, self.partner_db_id)


@strawberry.type(name="Comment", description="A comment on a suggestion, or an answer to one.")
class CommentType(Node):
    id: strawberry.ID
    text: str = strawberry.field(description="Plain text, exactly as written: show it as text.")
    official: bool = strawberry.field(description="An official answer of a partner or the city.")
    created_at: datetime
    hidden_at: datetime | None
    parent_id: strawberry.ID | None
    suggestion_id: strawberry.ID
    db_id: strawberry.Private[int]
    author_db_id: strawberry.Private[int]
    partner_db_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Comment) -> CommentType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Comment", row.id),
            text=row.text,
            official=row.official,
            created_at=row.created_at,
            hidden_at=row.hidden_at,
            parent_id=encode_global_id("Comment", row.parent_id) if row.parent_id else None,
            suggestion_id=encode_global_id("Suggestion", row.suggestion_id),
            db_id=row.id,
            author_db_id=row.author_id,
            partner_db_id=row.partner_id,
        )

    @strawberry.field
    async def author(self, info: Info) -> PersonType | None:
        return await person_of(info, self.author_db_id)

    @strawberry.field(description="The partner an official answer speaks for.")
    async def official_partner(self, info: Info) -> PartnerType | None:
        return await _partner(info, self.partner_db_id)

    @strawberry.field(description="Visible answers to this comment, oldest first.")
    async def replies(self, info: Info) -> list[CommentType]:
        rows = await info.context.community.replies.load(self.db_id)
        return [CommentType.from_row(row) for row in rows]


@strawberry.type(name="Suggestion", description="A resident's idea for Issy's mobility.")
class SuggestionType(Node):
    id: strawberry.ID
    title: str = strawberry.field(description="Plain text, exactly as written.")
    text: str = strawberry.field(description="Plain text, exactly as written.")
    location: JSON | None = strawberry.field(
        description="GeoJSON Point, Polygon or MultiPolygon, [longitude, latitude]."
    )
    kinds: list[ServiceKind]
    status: SuggestionStatus
    vote_count: int
    created_at: datetime
    updated_at: datetime
    hidden_at: datetime | None
    db_id: strawberry.Private[int]
    author_db_id: strawberry.Private[int]
    service_db_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Suggestion) -> SuggestionType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Suggestion", row.id),
            title=row.title,
            text=row.text,
            location=json.loads(row.location) if row.location else None,
            kinds=suggestion_kinds(row),
            status=row.status,
            vote_count=row.vote_count,
            created_at=row.created_at,
            updated_at=row.updated_at,
            hidden_at=row.hidden_at,
            db_id=row.id,
            author_db_id=row.author_id,
            service_db_id=row.service_id,
        )

    @strawberry.field
    async def author(self, info: Info) -> PersonType | None:
        return await person_of(info, self.author_db_id)

    @strawberry.field(description="The service it is about, if any (and if you may see it).")
    async def service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.service_db_id)

    @strawberry.field(description="Whether you voted for it; false when anonymous.")
    async def viewer_has_voted(self, info: Info) -> bool:
        actor = await info.context.actor()
        if actor is None or actor.person_id is None:
            return False
        return await info.context.community.voted.load((actor.person_id, self.db_id))

    @strawberry.field(
        description="Whether you follow it (you hear of its status changes and comments); "
        "false when anonymous. Authors and voters follow from the start."
    )
    async def viewer_follows(self, info: Info) -> bool:
        actor = await info.context.actor()
        if actor is None or actor.person_id is None:
            return False
        return await info.context.community.follows.load((actor.person_id, self.db_id))

    @strawberry.field(description="Top-level comments, oldest first; answers under `replies`.")
    async def comments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[CommentType]:
        size = page_size(info.context.settings, first)
        cursor = decode_keyset_cursor(after)
        actor = await info.context.actor()
        page = await info.context.run(
            lambda s: list_comments(
                s, actor=actor, suggestion_id=self.db_id, first=size, after=cursor
            )
        )
        return keyset_connection(page, CommentType.from_row, after=cursor)

    @strawberry.field(description="Every status change, oldest first.")
    async def status_history(self, info: Info) -> list[StatusChangeType]:
        rows = await info.context.run(status_history, self.db_id)
        return [StatusChangeType.from_row(row) for row in rows]


@strawberry.type(name="Proposal", description="A partner's answer to a city challenge.")
class ProposalType(Node):
    id: strawberry.ID
    title: str
    text: str
    vote_count: int
    created_at: datetime
    hidden_at: datetime | None
    challenge_id: strawberry.ID
    db_id: strawberry.Private[int]
    partner_db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Proposal) -> ProposalType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Proposal", row.id),
            title=row.title,
            text=row.text,
            vote_count=row.vote_count,
            created_at=row.created_at,
            hidden_at=row.hidden_at,
            challenge_id=encode_global_id("Challenge", row.challenge_id),
            db_id=row.id,
            partner_db_id=row.partner_id,
        )

    @strawberry.field(description="The partner proposing.")
    async def partner(self, info: Info) -> PartnerType | None:
        return await _partner(info, self.partner_db_id)

    @strawberry.field(description="The services it puts forward that you may see.")
    async def services(self, info: Info) -> list[ServiceType]:
        ids = await info.context.community.proposal_services.load(self.db_id)
        found = [await _service(info, service_id) for service_id in ids]
        return [service for service in found if service is not None]


@strawberry.type(name="Challenge", description="A call from the city for mobility answers.")
class ChallengeType(Node):
    id: strawberry.ID
    title: str
    text: str
    area: JSON = strawberry.field(description="GeoJSON Polygon or MultiPolygon.")
    deadline: datetime
    created_at: datetime
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Challenge) -> ChallengeType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Challenge", row.id),
            title=row.title,
            text=row.text,
            area=json.loads(row.area),
            deadline=row.deadline,
            created_at=row.created_at,
            db_id=row.id,
        )

    @strawberry.field(description="Whether partners may still propose and residents vote.")
    def is_open(self) -> bool:
        return self.deadline > utcnow()

    @strawberry.field(description="Visible proposals answering the challenge.")
    async def proposals(
        self,
        info: Info,
        sort: ProposalSort = ProposalSort.NEWEST,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ProposalType]:
        size = page_size(info.context.settings, first)
        cursor = decode_keyset_cursor(after)
        page = await info.context.run(
            lambda s: list_proposals(
                s, challenge_id=self.db_id, sort=sort, first=size, after=cursor
            )
        )
        return keyset_connection(page, ProposalType.from_row, after=cursor)
