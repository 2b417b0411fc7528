"""DataLoaders of community fields, made per request beside the catalogue's loaders."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select
from strawberry.dataloader import DataLoader

from marketplace.community.challenges import proposal_service_ids
from marketplace.community.comments import replies_of
from marketplace.community.ratings import RatingSummary, rating_summaries
from marketplace.db import Database
from marketplace.models import Comment, Person, SuggestionFollow, SuggestionVote

__all__ = ["CommunityLoaders"]


def _people(session: Session, ids: Sequence[int]) -> dict[int, Person]:
    rows = session.exec(select(Person).where(col(Person.id).in_(list(ids))))
    return {p.id: p for p in rows if p.id is not None}


def _votes(session: Session, keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which ``(person id, suggestion id)`` pairs are votes."""
    people = {person for person, _ in keys}
    suggestions = {suggestion for _, suggestion in keys}
    rows = session.exec(
        select(SuggestionVote.person_id, SuggestionVote.suggestion_id).where(
            col(SuggestionVote.person_id).in_(people),
            col(SuggestionVote.suggestion_id).in_(suggestions),
        )
    )
    return {(int(p), int(s)) for p, s in rows}


def _follows(session: Session, keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which ``(person id, suggestion id)`` pairs are follows."""
    people = {person for person, _ in keys}
    suggestions = {suggestion for _, suggestion in keys}
    rows = session.exec(
        select(SuggestionFollow.person_id, SuggestionFollow.suggestion_id).where(
            col(SuggestionFollow.person_id).in_(people),
            col(SuggestionFollow.suggestion_id).in_(suggestions),
        )
    )
    return {(int(p), int(s)) for p, s in rows}


class CommunityLoaders:
    """The request's community loaders; each batches its keys in one event-loop tick."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.person: DataLoader[int, Person | None] = DataLoader(load_fn=self._load_people)
        self.rating: DataLoader[int, RatingSummary] = DataLoader(load_fn=self._load_ratings)
        self.replies: DataLoader[int, list[Comment]] = DataLoader(load_fn=self._load_replies)
        self.proposal_services: DataLoader[int, list[int]] = DataLoader(
            load_fn=self._load_proposal_services
        )
        self.voted: DataLoader[tuple[int, int], bool] = DataLoader(load_fn=self._load_votes)
        self.follows: DataLoader[tuple[int, int], bool] = DataLoader(load_fn=self._load_follows)

    async def _load_people(self, keys: list[int]) -> list[Person | None]:
        found = await self._db.run(_people, keys)
        return [found.get(key) for key in keys]

    async def _load_ratings(self, keys: list[int]) -> list[RatingSummary]:
        found = await self._db.run(rating_summaries, keys)
        return [found.get(key) or RatingSummary.empty() for key in keys]

    async def _load_replies(self, keys: list[int]) -> list[list[Comment]]:
        found = await self._db.run(replies_of, keys)
        return [found.get(key, []) for key in keys]

    async def _load_proposal_services(self, keys: list[int]) -> list[list[int]]:
        found = await self._db.run(proposal_service_ids, keys)
        return [found.get(key, []) for key in keys]

    async def _load_votes(self, keys: list[tuple[int, int]]) -> list[bool]:
        found = await self._db.run(_votes, keys)
        return [key in found for key in keys]

    async def _load_follows(self, keys: list[tuple[int, int]]) -> list[bool]:
        found = await self._db.run(_follows, keys)
        return [key in found for key in keys]
