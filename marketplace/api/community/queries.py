"""The community part of the Query root: suggestions, reviews, challenges, moderation."""

from __future__ import annotations

import strawberry
from sqlmodel import Session

from marketplace.api.community.inputs import SuggestionFilterInput
from marketplace.api.community.moderation_types import (
    CONTENT_TYPE_NAMES,
    ModerationActionType,
    ReportType,
)
from marketplace.api.community.types import (
    ChallengeType,
    CommentType,
    ProposalType,
    ReviewType,
    SuggestionType,
)
from marketplace.api.context import Info
from marketplace.api.paging import decode_keyset_cursor, keyset_connection, page_size
from marketplace.api.permissions import IsModerator
from marketplace.api.relay import Connection, Node, decode_global_id
from marketplace.catalogue.geo import BBox
from marketplace.community.challenges import get_challenge, get_proposal, list_challenges
from marketplace.community.comments import get_comment
from marketplace.community.moderation import moderation_trail, open_reports
from marketplace.community.reviews import ReviewSort, get_review, list_reviews
from marketplace.community.suggestions import (
    SuggestionSort,
    get_suggestion,
    list_suggestions,
)
from marketplace.errors import InvalidInput, NotFound
from marketplace.identity.actors import Actor
from marketplace.models import ContentKind

__all__ = ["COMMUNITY_NODE_TYPES", "CommunityQuery", "content_ref", "load_community_node"]

_KINDS_BY_TYPE = {name: kind for kind, name in CONTENT_TYPE_NAMES.items()}

COMMUNITY_NODE_TYPES = frozenset({"Review", "Suggestion", "Comment", "Proposal", "Challenge"})
"""Type names whose global ids :func:`load_community_node` resolves."""


def load_community_node(
    session: Session, actor: Actor | None, type_name: str, db_id: int
) -> Node | None:
    """The community object behind a global id for ``node(id)``, if the caller may see it
    (hidden content only for moderators)."""
    try:
        if type_name == "Review":
            return ReviewType.from_row(get_review(session, actor=actor, review_id=db_id))
        if type_name == "Suggestion":
            row = get_suggestion(session, actor=actor, suggestion_id=db_id)
            return SuggestionType.from_row(row)
        if type_name == "Comment":
            return CommentType.from_row(get_comment(session, actor=actor, comment_id=db_id))
        if type_name == "Proposal":
            return ProposalType.from_row(get_proposal(session, actor=actor, proposal_id=db_id))
        if type_name == "Challenge":
            return ChallengeType.from_row(get_challenge(session, db_id))
    except NotFound:
        return None
    raise InvalidInput(f"{type_name!r} has no global ids in this API")


def content_ref(global_id: strawberry.ID) -> tuple[ContentKind, int]:
    """The kind and database id of a review, suggestion, comment or proposal id.

    Raises
    ------
    InvalidInput
        Any other id.
    """
    type_name, db_id = decode_global_id(global_id)
    kind = _KINDS_BY_TYPE.get(type_name)
    if kind is None:
        raise InvalidInput(
            f"id {global_id!r} is a {type_name}; only reviews, suggestions, comments and "
            "proposals are moderated",
            field="contentId",
        )
    return kind, db_id


@strawberry.type
class CommunityQuery:
    @strawberry.field(description="Residents' suggestions (hidden ones never appear).")
    async def suggestions(
        self,
        info: Info,
        filter: SuggestionFilterInput | None = None,
        sort: SuggestionSort = SuggestionSort.NEWEST,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SuggestionType]:
        size = page_size(info.context.settings, first)
        cursor = decode_keyset_cursor(after)
        status = filter.status if filter and filter.status else []
        service_id = (
            decode_global_id(filter.service_id, "MobilityService")[1]
            if filter and filter.service_id
            else None
        )
        kinds = filter.kinds if filter and filter.kinds else []
        bbox = (
            BBox(filter.bbox.min_lon, filter.bbox.min_lat, filter.bbox.max_lon, filter.bbox.max_lat)
            if filter and filter.bbox
            else None
        )
        page = await info.context.run(
            lambda s: list_suggestions(
                s,
                sort=sort,
                first=size,
                after=cursor,
                status=status,
                service_id=service_id,
                kinds=kinds,
                bbox=bbox,
            )
        )
        return keyset_connection(page, SuggestionType.from_row, after=cursor)

    @strawberry.field(description="One suggestion; NOT_FOUND if unknown or hidden.")
    async def suggestion(self, info: Info, id: strawberry.ID) -> SuggestionType:
        _, db_id = decode_global_id(id, "Suggestion")
        actor = await info.context.actor()
        row = await info.context.run(lambda s: get_suggestion(s, actor=actor, suggestion_id=db_id))
        return SuggestionType.from_row(row)

    @strawberry.field(description="Visible reviews of a service you may see.")
    async def reviews(
        self,
        info: Info,
        service_id: strawberry.ID,
        sort: ReviewSort = ReviewSort.NEWEST,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ReviewType]:
        _, sid = decode_global_id(service_id, "MobilityService")
        size = page_size(info.context.settings, first)
        cursor = decode_keyset_cursor(after)
        actor = await info.context.actor()
        page = await info.context.run(
            lambda s: list_reviews(
                s, actor=actor, service_id=sid, sort=sort, first=size, after=cursor
            )
        )
        return keyset_connection(page, ReviewType.from_row, after=cursor)

    @strawberry.field(description="City challenges, newest first.")
    async def challenges(
        self,
        info: Info,
        open_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ChallengeType]:
        size = page_size(info.context.settings, first)
        cursor = decode_keyset_cursor(after)
        page = await info.context.run(
            lambda s: list_challenges(s, open_only=open_only, first=size, after=cursor)
        )
        return keyset_connection(page, ChallengeType.from_row, after=cursor)

    @strawberry.field(description="One city challenge.")
    async def challenge(self, info: Info, id: strawberry.ID) -> ChallengeType:
        _, db_id = decode_global_id(id, "Challenge")
        row = await info.context.run(get_challenge, db_id)
        return ChallengeType.from_row(row)

    @strawberry.field(
        description="Unresolved reports, oldest first (city admins).",
        permission_classes=[IsModerator],
    )
    async def content_reports(
        self, info: Info, kinds: list[ContentKind] | None = None
    ) -> list[ReportType]:
        actor = await info.context.actor()
        rows = await info.context.run(lambda s: open_reports(s, actor=actor, kinds=kinds or []))
        return [ReportType.from_row(row) for row in rows]

    @strawberry.field(
        description="Every hide and restore of a piece of content, oldest first (city admins).",
        permission_classes=[IsModerator],
    )
    async def moderation_trail(
        self, info: Info, content_id: strawberry.ID
    ) -> list[ModerationActionType]:
        kind, db_id = content_ref(content_id)
        actor = await info.context.actor()
        rows = await info.context.run(
            lambda s: moderation_trail(s, actor=actor, kind=kind, content_id=db_id)
        )
        return [ModerationActionType.from_row(row) for row in rows]
