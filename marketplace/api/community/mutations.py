"""The community part of the Mutation root: reviews, suggestions, votes, comments,
challenges and moderation. Storage work runs in one transaction; the storage layer sends the
live events once it has committed."""

from __future__ import annotations

import json

import strawberry
from strawberry.scalars import JSON

from marketplace.api.community.inputs import ChallengeInput, SuggestionInput, SuggestionUpdateInput
from marketplace.api.community.moderation_types import ModerationActionType, ReportType
from marketplace.api.community.queries import content_ref
from marketplace.api.community.types import (
    ChallengeType,
    CommentType,
    ProposalType,
    ReviewType,
    SuggestionType,
)
from marketplace.api.context import Info
from marketplace.api.permissions import IsModerator
from marketplace.api.relay import decode_global_id
from marketplace.community import challenges, comments, moderation, reviews, suggestions
from marketplace.errors import InvalidInput
from marketplace.models import ModerationDecision, SuggestionStatus

__all__ = ["CommunityMutation", "ProposalVoteResult", "SuggestionVoteResult"]


def _geojson(value: JSON | None, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} is not GeoJSON", field=field) from None


@strawberry.type(description="A suggestion after your vote or withdrawal.")
class SuggestionVoteResult:
    suggestion: SuggestionType
    voted: bool = strawberry.field(description="Whether your vote counts now.")


@strawberry.type(description="A proposal after your vote or withdrawal.")
class ProposalVoteResult:
    proposal: ProposalType
    voted: bool


def _id(global_id: strawberry.ID, type_name: str) -> int:
    return decode_global_id(global_id, type_name)[1]


@strawberry.type
class CommunityMutation:
    @strawberry.mutation(description="Rate a published service 1 to 5 (residents; once each).")
    async def review_service(
        self, info: Info, service_id: strawberry.ID, rating: int, text: str = ""
    ) -> ReviewType:
        sid = _id(service_id, "MobilityService")
        actor = await info.context.actor()
        row = await info.context.run(
            lambda s: reviews.create_review(
                s, actor=actor, service_id=sid, rating=rating, text=text
            )
        )
        return ReviewType.from_row(row)

    @strawberry.mutation(description="Edit your review.")
    async def update_review(
        self, info: Info, id: strawberry.ID, rating: int | None = None, text: str | None = None
    ) -> ReviewType:
        rid = _id(id, "Review")
        actor = await info.context.actor()
        row = await info.context.run(
            lambda s: reviews.update_review(s, actor=actor, review_id=rid, rating=rating, text=text)
        )
        return ReviewType.from_row(row)

    @strawberry.mutation(description="Answer a review of your service officially (partners).")
    async def reply_to_review(self, info: Info, id: strawberry.ID, text: str) -> ReviewType:
        rid = _id(id, "Review")
        actor = await info.context.actor()
        row = await info.context.run(
            lambda s: reviews.reply_to_review(s, actor=actor, review_id=rid, text=text)
        )
        return ReviewType.from_row(row)

    @strawberry.mutation(description="Suggest a new service or an improvement (residents).")
    async def suggest(self, info: Info, input: SuggestionInput) -> SuggestionType:
        actor = await info.context.actor()
        location = _geojson(input.location, "location")
        service_id = _id(input.service_id, "MobilityService") if input.service_id else None
        row = await info.context.run(
            lambda s: suggestions.create_suggestion(
                s,
                actor=actor,
                title=input.title,
                text=input.text,
                location=location,
                kinds=input.kinds,
                service_id=service_id,
            )
        )
        return SuggestionType.from_row(row)

    @strawberry.mutation(description="Edit your suggestion.")
    async def update_suggestion(
        self, info: Info, id: strawberry.ID, input: SuggestionUpdateInput
    ) -> SuggestionType:
        sid = _id(id, "Suggestion")
        actor = await info.context.actor()
        location = _geojson(input.location, "location")
        row = await info.context.run(
            lambda s: suggestions.update_suggestion(
                s,
                actor=actor,
                suggestion_id=sid,
                title=input.title,
                text=input.text,
                location=location,
                kinds=input.kinds,
            )
        )
        return SuggestionType.from_row(row)

    @strawberry.mutation(
        description="Vote for a suggestion (residents): one vote each, a second one is a "
        "CONFLICT (withdraw first)."
    )
    async def vote_for_suggestion(self, info: Info, id: strawberry.ID) -> SuggestionVoteResult:
        sid = _id(id, "Suggestion")
        actor = await info.context.actor()
        result = await info.context.run(
            lambda s: suggestions.vote_for_suggestion(s, actor=actor, suggestion_id=sid)
        )
        return SuggestionVoteResult(
            suggestion=SuggestionType.from_row(result.suggestion), voted=result.voted
        )

    @strawberry.mutation(description="Withdraw your vote; withdrawing twice is harmless.")
    async def withdraw_suggestion_vote(self, info: Info, id: strawberry.ID) -> SuggestionVoteResult:
        sid = _id(id, "Suggestion")
        actor = await info.context.actor()
        result = await info.context.run(
            lambda s: suggestions.withdraw_vote(s, actor=actor, suggestion_id=sid)
        )
        return SuggestionVoteResult(
            suggestion=SuggestionType.from_row(result.suggestion), voted=result.voted
        )

    @strawberry.mutation(description="Follow (or, with follow: false, unfollow) a suggestion.")
    async def follow_suggestion(
        self, info: Info, id: strawberry.ID, follow: bool = True
    ) -> SuggestionType:
        sid = _id(id, "Suggestion")
        actor = await info.context.actor()
        row = await info.context.run(
            lambda s: suggestions.follow_suggestion(
                s, actor=actor, suggestion_id=sid, follow=follow
            )
        )
        return SuggestionType.from_row(row)

    @strawberry.mutation(
        description="Comment on a suggestion or answer a comment; `official` marks the answer "
        "of your partner or of the city."
    )
    async def comment_on_suggestion(
        self,
        info: Info,
        suggestion_id: strawberry.ID,
        text: str,
        parent_id: strawberry.ID | None = None,
        official: bool = False,
    ) -> CommentType:
        sid = _id(suggestion_id, "Suggestion")
        pid = _id(parent_id, "Comment") if parent_id else None
        actor = await info.context.actor()
        row = await info.context.run(
            lambda s: comments.add_comment(
                s, actor=actor, suggestion_id=sid, text=text, parent_id=pid, official=official
            )
        )
        return CommentType.from_row(row)

    @strawberry.mutation(
        description="Move a suggestion to a status, saying why (city staff; partners for their "
        "own services and general ideas)."
    )
    async def set_suggestion_status(
        self, info: Info, id: strawberry.ID, status: SuggestionStatus, reason: str
    ) -> SuggestionType:
        sid = _id(id, "Suggestion")
        actor = await info.context.actor()
        row, _ = await info.context.run(
            lambda s: suggestions.change_status(
                s, actor=actor, suggestion_id=sid, status=status, reason=reason
            )
        )
        return SuggestionType.from_row(row)

    @strawberry.mutation(description="Open a city challenge (city admins and planners).")
    async def open_challenge(self, info: Info, input: ChallengeInput) -> ChallengeType:
        actor = await info.context.actor()
        area = _geojson(input.area, "area") or ""
        row = await info.context.run(
            lambda s: challenges.open_challenge(
                s,
                actor=actor,
                title=input.title,
                text=input.text,
                area=area,
                deadline=input.deadline,
            )
        )
        return ChallengeType.from_row(row)

    @strawberry.mutation(description="Answer an open challenge with your services (partners).")
    async def propose_to_challenge(
        self,
        info: Info,
        challenge_id: strawberry.ID,
        title: str,
        text: str,
        service_ids: list[strawberry.ID] | None = None,
    ) -> ProposalType:
        cid = _id(challenge_id, "Challenge")
        sids = [_id(sid, "MobilityService") for sid in service_ids or []]
        actor = await info.context.actor()
        row = await info.context.run(
            lambda s: challenges.propose(
                s, actor=actor, challenge_id=cid, title=title, text=text, service_ids=sids
            )
        )
        return ProposalType.from_row(row)

    @strawberry.mutation(
        description="Vote for a proposal (residents; `vote: false` withdraws). One vote each: "
        "voting again is a CONFLICT; withdrawing is idempotent."
    )
    async def vote_for_proposal(
        self, info: Info, id: strawberry.ID, vote: bool = True
    ) -> ProposalVoteResult:
        pid = _id(id, "Proposal")
        actor = await info.context.actor()
        result = await info.context.run(
            lambda s: challenges.vote_for_proposal(s, actor=actor, proposal_id=pid, vote=vote)
        )
        return ProposalVoteResult(proposal=ProposalType.from_row(result.proposal), voted=vote)

    @strawberry.mutation(description="Report abusive content to the moderators.")
    async def report_content(
        self, info: Info, content_id: strawberry.ID, reason: str
    ) -> ReportType:
        kind, db_id = content_ref(content_id)
        actor = await info.context.actor()
        row = await info.context.run(
            lambda s: moderation.report_content(
                s, actor=actor, kind=kind, content_id=db_id, reason=reason
            )
        )
        return ReportType.from_row(row)

    @strawberry.mutation(
        description="Hide content from public view, with a reason (city admins). Nothing is "
        "deleted; `restoreContent` undoes it.",
        permission_classes=[IsModerator],
    )
    async def hide_content(
        self, info: Info, content_id: strawberry.ID, reason: str
    ) -> ModerationActionType:
        return await _moderate(info, content_id, ModerationDecision.HIDE, reason)

    @strawberry.mutation(
        description="Show hidden content again, with a reason (city admins).",
        permission_classes=[IsModerator],
    )
    async def restore_content(
        self, info: Info, content_id: strawberry.ID, reason: str
    ) -> ModerationActionType:
        return await _moderate(info, content_id, ModerationDecision.RESTORE, reason)


async def _moderate(
    info: Info, content_id: strawberry.ID, decision: ModerationDecision, reason: str
) -> ModerationActionType:
    kind, db_id = content_ref(content_id)
    actor = await info.context.actor()
    row = await info.context.run(
        lambda s: moderation.moderate(
            s, actor=actor, kind=kind, content_id=db_id, decision=decision, reason=reason
        )
    )
    return ModerationActionType.from_row(row)
