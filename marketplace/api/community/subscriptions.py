"""Live activity on followed suggestions: new comments and status changes.

Storage functions record a :class:`~marketplace.events.community.CommunityEvent`; once
committed it reaches the community channel of the live-update bus (in process, or Redis
across processes); each subscriber keeps the events about suggestions it follows at the
moment they arrive.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from broadcaster._base import Unsubscribed

from marketplace.api.community.types import CommentType, SuggestionType
from marketplace.api.context import Info
from marketplace.api.permissions import IsPerson
from marketplace.community.comments import get_comment
from marketplace.community.suggestions import get_suggestion, is_following
from marketplace.errors import NotFound
from marketplace.events.community import (
    CHANNEL,
    CommunityEventKind,
    decode_event,
)
from marketplace.models import SuggestionStatus

__all__ = ["CommunitySubscription", "SuggestionActivity"]

log = logging.getLogger(__name__)

strawberry.enum(CommunityEventKind, name="SuggestionActivityKind")


@strawberry.type(description="Something happened on a suggestion you follow.")
class SuggestionActivity:
    kind: CommunityEventKind
    status: SuggestionStatus
    at: datetime
    suggestion_db_id: strawberry.Private[int]
    comment_db_id: strawberry.Private[int | None]

    @strawberry.field(description="The suggestion as it is now; null if it was hidden since.")
    async def suggestion(self, info: Info) -> SuggestionType | None:
        try:
            row = await info.context.run(
                lambda s: get_suggestion(s, actor=None, suggestion_id=self.suggestion_db_id)
            )
        except NotFound:
            return None
        return SuggestionType.from_row(row)

    @strawberry.field(description="The new comment (NEW_COMMENT only).")
    async def comment(self, info: Info) -> CommentType | None:
        comment_id = self.comment_db_id
        if comment_id is None:
            return None
        try:
            row = await info.context.run(
                lambda s: get_comment(s, actor=None, comment_id=comment_id)
            )
        except NotFound:
            return None
        return CommentType.from_row(row)


@strawberry.type
class CommunitySubscription:
    @strawberry.subscription(
        description="New comments and status changes on the suggestions you follow (you follow "
        "what you suggest, vote for or comment on, and what you follow explicitly). Your own "
        "comments are not echoed back.",
        permission_classes=[IsPerson],
    )
    async def followed_suggestion_activity(
        self, info: Info
    ) -> AsyncGenerator[SuggestionActivity, None]:
        actor = await info.context.actor()
        assert actor is not None and actor.person_id is not None
        person_id = actor.person_id
        async with info.context.live.broadcast.subscribe(CHANNEL) as subscriber:
            while True:
                try:
                    message = await subscriber.get()
                except Unsubscribed:
                    return
                try:
                    event = decode_event(message.message)
                except (KeyError, ValueError):
                    log.warning("ignoring malformed community event %r", message.message)
                    continue
                if event.by_person_id == person_id:
                    continue
                follows = await info.context.run(
                    lambda s, e=event: is_following(
                        s, person_id=person_id, suggestion_id=e.suggestion_id
                    )
                )
                if follows:
                    yield SuggestionActivity(
                        kind=event.kind,
                        status=event.status,
                        at=event.at,
                        suggestion_db_id=event.suggestion_id,
                        comment_db_id=event.comment_id,
                    )
