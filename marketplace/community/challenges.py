"""City challenges, partners' proposals answering them, and residents' votes on proposals."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from marketplace.catalogue.validation import validate_service_area
from marketplace.community.access import require_city_staff, require_partner, require_resident
from marketplace.community.limits import MAX_TEXT, MAX_TITLE, clean_text
from marketplace.community.paging import Page, SortKey, keyset_page
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.i18n import MESSAGE_IDS, Message
from marketplace.identity.actors import Actor
from marketplace.models import (
    Challenge,
    MobilityService,
    Proposal,
    ProposalService,
    ProposalVote,
    utcnow,
)

__all__ = [
    "ProposalSort",
    "ProposalVoted",
    "get_challenge",
    "get_proposal",
    "list_challenges",
    "list_proposals",
    "open_challenge",
    "proposal_service_ids",
    "propose",
    "vote_for_proposal",
]


class ProposalSort(enum.Enum):
    """Orders of a challenge's proposals."""

    NEWEST = "newest"
    MOST_VOTED = "most_voted"


@dataclass(frozen=True, slots=True)
class ProposalVoted:
    """A proposal after a vote or withdrawal, and whether the caller's vote now counts."""

    proposal: Proposal
    voted: bool


def _check_open(challenge: Challenge, doing: str) -> None:
    if challenge.deadline <= utcnow():
        raise Conflict(
            Message(
                "community.challenge_closed",
                {
                    "id": challenge.id,
                    "deadline": challenge.deadline.isoformat(),
                    "doing": Message(f"doing.{doing}")
                    if f"doing.{doing}" in MESSAGE_IDS
                    else doing,
                },
            )
        )


def open_challenge(
    session: Session,
    *,
    actor: Actor | None,
    title: str,
    text: str,
    area: str,
    deadline: datetime,
) -> Challenge:
    """City staff (an admin or a planner) open a challenge about an area, until a deadline.

    Raises
    ------
    NotAuthenticated, Forbidden
        Not a city admin or planner.
    InvalidInput
        Empty or overlong texts, a bad area, a naive or past deadline.
    """
    actor = require_city_staff(actor, "opening a city challenge")
    if deadline.tzinfo is None:
        raise InvalidInput("deadline needs a timezone, e.g. 2030-01-01T18:00:00+01:00")
    if deadline <= utcnow():
        raise InvalidInput(
            Message("community.deadline_past", {"deadline": deadline.isoformat()}),
            field="deadline",
        )
    challenge = Challenge(
        title=clean_text("title", title, max_len=MAX_TITLE),
        text=clean_text("text", text, max_len=MAX_TEXT),
        area=validate_service_area(area, field="area").geojson,
        deadline=deadline,
        created_by_id=actor.person_id,
    )
    session.add(challenge)
    session.flush()
    return challenge


def get_challenge(session: Session, challenge_id: int) -> Challenge:
    """A challenge by id.

    Raises
    ------
    NotFound
    """
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound(Message("community.challenge_not_found", {"id": challenge_id}))
    return challenge


def list_challenges(
    session: Session, *, open_only: bool, first: int, after: tuple[int, int] | None
) -> Page[Challenge]:
    """Challenges, newest first; ``open_only`` keeps those whose deadline is ahead."""
    query = select(Challenge)
    if open_only:
        query = query.where(col(Challenge.deadline) > utcnow())
    key = SortKey(col(Challenge.id), col(Challenge.id))
    return keyset_page(session, query, sort=key, first=first, after=after)


def propose(
    session: Session,
    *,
    actor: Actor | None,
    challenge_id: int,
    title: str,
    text: str,
    service_ids: Sequence[int] = (),
) -> Proposal:
    """A partner answers an open challenge, linking some of its services (drafts too).

    Raises
    ------
    NotAuthenticated, Forbidden
        Not acting for a partner.
    NotFound
        Unknown challenge, or a service that is not the partner's.
    Conflict
        The challenge is closed.
    InvalidInput
    """
    actor = require_partner(actor, "proposing an answer to a challenge")
    assert actor.partner_id is not None
    challenge = get_challenge(session, challenge_id)
    _check_open(challenge, "proposing")
    proposal = Proposal(
        challenge_id=challenge_id,
        partner_id=actor.partner_id,
        author_id=actor.person_id,
        title=clean_text("title", title, max_len=MAX_TITLE),
        text=clean_text("text", text, max_len=MAX_TEXT),
    )
    unique_ids = list(dict.fromkeys(service_ids))
    if len(unique_ids) > 20:
        raise InvalidInput("a proposal links at most 20 services", field="serviceIds")
    for service_id in unique_ids:
        service = session.get(MobilityService, service_id)
        # Another partner's service is "not found": its drafts must not leak.
        if service is None or service.partner_id != actor.partner_id:
            raise NotFound(Message("community.own_service_not_found", {"id": service_id}))
    session.add(proposal)
    session.flush()
    assert proposal.id is not None
    for service_id in unique_ids:
        session.add(ProposalService(proposal_id=proposal.id, service_id=service_id))
    return proposal


def get_proposal(session: Session, *, actor: Actor | None, proposal_id: int) -> Proposal:
    """A proposal the caller may see (hidden ones only moderators).

    Raises
    ------
    NotFound
    """
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or (proposal.hidden_at is not None and not (actor and actor.is_moderator)):
        raise NotFound(Message("community.proposal_not_found", {"id": proposal_id}))
    return proposal


def list_proposals(
    session: Session,
    *,
    challenge_id: int,
    sort: ProposalSort,
    first: int,
    after: tuple[int, int] | None,
) -> Page[Proposal]:
    """Visible proposals of a challenge.

    Raises
    ------
    NotFound
        Unknown challenge.
    """
    get_challenge(session, challenge_id)
    query = select(Proposal).where(
        Proposal.challenge_id == challenge_id, col(Proposal.hidden_at).is_(None)
    )
    key = (
        SortKey(col(Proposal.vote_count), col(Proposal.id))
        if sort is ProposalSort.MOST_VOTED
        else SortKey(col(Proposal.id), col(Proposal.id))
    )
    return keyset_page(session, query, sort=key, first=first, after=after)


def proposal_service_ids(session: Session, proposal_ids: Sequence[int]) -> dict[int, list[int]]:
    """The services each proposal links."""
    found: dict[int, list[int]] = {pid: [] for pid in proposal_ids}
    if not found:
        return {}
    query = (
        select(ProposalService)
        .where(col(ProposalService.proposal_id).in_(list(found)))
        .order_by(col(ProposalService.id))
    )
    for row in session.exec(query):
        found[row.proposal_id].append(row.service_id)
    return found


def vote_for_proposal(
    session: Session, *, actor: Actor | None, proposal_id: int, vote: bool
) -> ProposalVoted:
    """A resident votes for a proposal (``vote=True``) or withdraws (``False``). Votes close
    with the challenge.

    As for suggestions (:func:`marketplace.community.suggestions.vote_for_suggestion`), a
    second vote is a ``CONFLICT`` (issue 6: "CONFLICT on a second review or vote") that
    changes nothing, and withdrawing is idempotent.

    Raises
    ------
    NotAuthenticated, Forbidden
        Not a resident.
    NotFound
    Conflict
        The challenge is closed, or the resident voted for this proposal already.
    """
    actor = require_resident(actor, "voting")
    assert actor.person_id is not None
    proposal = session.exec(
        select(Proposal).where(Proposal.id == proposal_id).with_for_update()
    ).first()
    if proposal is None or proposal.hidden_at is not None:
        raise NotFound(Message("community.proposal_not_found", {"id": proposal_id}))
    _check_open(get_challenge(session, proposal.challenge_id), "voting")
    existing = session.exec(
        select(ProposalVote).where(
            ProposalVote.proposal_id == proposal_id, ProposalVote.person_id == actor.person_id
        )
    ).first()
    if vote and existing is not None:
        raise Conflict(Message("community.voted_proposal_already", {"id": proposal_id}))
    if vote:
        session.add(ProposalVote(proposal_id=proposal_id, person_id=actor.person_id))
        proposal.vote_count += 1
    elif not vote and existing is not None:
        session.delete(existing)
        proposal.vote_count -= 1
    session.add(proposal)
    return ProposalVoted(proposal, vote)
