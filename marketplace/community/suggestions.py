"""Residents' suggestions: writing them, voting, following, and their status.

One vote per resident: a second vote is a ``CONFLICT`` (as a second review is), and
withdrawing is idempotent. See :func:`vote_for_suggestion` for why.

Votes keep ``Suggestion.vote_count`` in step in the same transaction, under a row lock, so
"most voted" sorts in SQL and concurrent votes never lose a count.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from shapely.geometry import box, shape
from sqlmodel import Session, col, select

from marketplace.catalogue.geo import BBox
from marketplace.catalogue.services import get_service
from marketplace.catalogue.validation import check_coordinates, validate_service_area
from marketplace.community.access import may_decide, require_person, require_resident
from marketplace.community.limits import (
    DEFAULT_POSTING_LIMIT,
    MAX_REASON,
    MAX_TEXT,
    MAX_TITLE,
    PostingLimit,
    check_posting_rate,
    clean_text,
)
from marketplace.community.paging import Page, SortKey, keyset_page
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from marketplace.events.changes import record_community_event
from marketplace.events.community import CommunityEvent, CommunityEventKind
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.models import (
    MobilityService,
    ServiceKind,
    Suggestion,
    SuggestionFollow,
    SuggestionStatus,
    SuggestionStatusChange,
    SuggestionVote,
    utcnow,
)

__all__ = [
    "SuggestionSort",
    "Voted",
    "change_status",
    "create_suggestion",
    "follow_suggestion",
    "get_suggestion",
    "is_following",
    "list_suggestions",
    "status_history",
    "suggestion_kinds",
    "update_suggestion",
    "validate_location",
    "vote_for_suggestion",
    "withdraw_vote",
]


class SuggestionSort(enum.Enum):
    """Orders of the suggestion list."""

    NEWEST = "newest"
    MOST_VOTED = "most_voted"


@dataclass(frozen=True, slots=True)
class Voted:
    """A suggestion after a vote or withdrawal, and whether the caller's vote now counts."""

    suggestion: Suggestion
    voted: bool


def validate_location(geojson: str | None) -> str | None:
    """A suggestion's place: a GeoJSON Point near Issy, or a Polygon/MultiPolygon checked as
    service areas are; returns normalised GeoJSON text.

    Raises
    ------
    InvalidInput
    """
    if geojson is None:
        return None
    try:
        data = json.loads(geojson)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"location is not JSON: {exc}", field="location") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if isinstance(data, dict) and data.get("type") == "Point":
        coordinates = data.get("coordinates")
        if (
            not isinstance(coordinates, list)
            or len(coordinates) < 2
            or not all(isinstance(c, int | float) for c in coordinates[:2])
        ):
            raise InvalidInput(
                "location Point needs coordinates [longitude, latitude]", field="location"
            )
        lon, lat = float(coordinates[0]), float(coordinates[1])
        check_coordinates("location", lat, lon)
        return json.dumps({"type": "Point", "coordinates": [lon, lat]}, separators=(",", ":"))
    return validate_service_area(json.dumps(data), field="location").geojson


def suggestion_kinds(suggestion: Suggestion) -> list[ServiceKind]:
    """The service kinds a suggestion concerns."""
    return [ServiceKind[name] for name in suggestion.kinds.split(",") if name]


def _dump_kinds(kinds: Sequence[ServiceKind]) -> str:
    return ",".join(kind.name for kind in dict.fromkeys(kinds))


def get_suggestion(session: Session, *, actor: Actor | None, suggestion_id: int) -> Suggestion:
    """A suggestion the caller may see (hidden ones only for moderators).

    Raises
    ------
    NotFound
    """
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or (
        suggestion.hidden_at is not None and not (actor and actor.is_moderator)
    ):
        raise NotFound(Message("community.suggestion_not_found", {"id": suggestion_id}))
    return suggestion


def _lock(session: Session, suggestion_id: int) -> Suggestion:
    # The row lock serialises votes on one suggestion, so vote_count never loses a count.
    suggestion = session.exec(
        select(Suggestion).where(Suggestion.id == suggestion_id).with_for_update()
    ).first()
    if suggestion is None or suggestion.hidden_at is not None:
        raise NotFound(Message("community.suggestion_not_found", {"id": suggestion_id}))
    return suggestion


def _follow(session: Session, person_id: int, suggestion_id: int) -> None:
    if not is_following(session, person_id=person_id, suggestion_id=suggestion_id):
        session.add(SuggestionFollow(suggestion_id=suggestion_id, person_id=person_id))


def create_suggestion(
    session: Session,
    *,
    actor: Actor | None,
    title: str,
    text: str,
    location: str | None = None,
    kinds: Sequence[ServiceKind] = (),
    service_id: int | None = None,
    limit: PostingLimit = DEFAULT_POSTING_LIMIT,
) -> Suggestion:
    """A resident suggests a new service or an improvement; they follow it from then on.

    Raises
    ------
    NotAuthenticated, Forbidden
        Not a resident.
    InvalidInput
        Empty or overlong title or text, bad location.
    NotFound
        ``service_id`` names no service the resident may see.
    RateLimited
    """
    actor = require_resident(actor, "making a suggestion")
    assert actor.person_id is not None
    if service_id is not None:
        get_service(session, actor=actor, service_id=service_id)
    suggestion = Suggestion(
        author_id=actor.person_id,
        service_id=service_id,
        title=clean_text("title", title, max_len=MAX_TITLE),
        text=clean_text("text", text, max_len=MAX_TEXT),
        location=validate_location(location),
        kinds=_dump_kinds(kinds),
    )
    check_posting_rate(session, actor.person_id, limit)
    session.add(suggestion)
    session.flush()
    assert suggestion.id is not None
    _follow(session, actor.person_id, suggestion.id)
    return suggestion


def update_suggestion(
    session: Session,
    *,
    actor: Actor | None,
    suggestion_id: int,
    title: str | None = None,
    text: str | None = None,
    location: str | None = None,
    kinds: Sequence[ServiceKind] | None = None,
) -> Suggestion:
    """The author edits their suggestion.

    Raises
    ------
    NotAuthenticated, NotFound, InvalidInput
    Forbidden
        Someone else's suggestion.
    """
    actor = require_resident(actor, "editing a suggestion")
    suggestion = _lock(session, suggestion_id)
    if suggestion.author_id != actor.person_id:
        raise Forbidden("only its author may edit a suggestion")
    if title is not None:
        suggestion.title = clean_text("title", title, max_len=MAX_TITLE)
    if text is not None:
        suggestion.text = clean_text("text", text, max_len=MAX_TEXT)
    if location is not None:
        suggestion.location = validate_location(location)
    if kinds is not None:
        suggestion.kinds = _dump_kinds(kinds)
    suggestion.updated_at = utcnow()
    session.add(suggestion)
    return suggestion


def _check_bbox(bbox: BBox) -> None:
    if not (bbox.min_lon < bbox.max_lon and bbox.min_lat < bbox.max_lat):
        raise InvalidInput(
            "bbox must have minLon < maxLon and minLat < maxLat, got "
            f"({bbox.min_lon}, {bbox.min_lat}, {bbox.max_lon}, {bbox.max_lat})",
            field="bbox",
        )


def _ids_in_bbox(session: Session, query: Any, bbox: BBox) -> list[int]:
    """Ids of the suggestions of ``query`` whose location (point or area) meets the box.

    Locations are GeoJSON text, so the test runs in shapely over the matching located
    suggestions (a city has a few thousand at most); the list then pages in SQL."""
    area = box(bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat)
    located = select(col(Suggestion.id), col(Suggestion.location)).where(
        query.whereclause, col(Suggestion.location).is_not(None)
    )
    ids = []
    for suggestion_id, location in session.exec(located):
        if suggestion_id is None or location is None:
            continue
        try:
            geometry = shape(json.loads(location))
        except (TypeError, ValueError, AttributeError, KeyError):
            continue  # never stored so (validate_location), but a bad row must not break lists
        if geometry.intersects(area):
            ids.append(int(suggestion_id))
    return ids


def list_suggestions(
    session: Session,
    *,
    sort: SuggestionSort,
    first: int,
    after: tuple[int, int] | None,
    status: Sequence[SuggestionStatus] = (),
    service_id: int | None = None,
    kinds: Sequence[ServiceKind] = (),
    bbox: BBox | None = None,
) -> Page[Suggestion]:
    """Visible suggestions, filtered and sorted.

    Parameters
    ----------
    kinds
        Suggestions concerning at least one of these kinds.
    bbox
        Suggestions whose location (a point, or an area that overlaps the box) meets the
        box; suggestions without a location are left out.

    Raises
    ------
    InvalidInput
        A box with its corners swapped.
    """
    query = select(Suggestion).where(col(Suggestion.hidden_at).is_(None))
    if status:
        query = query.where(col(Suggestion.status).in_(list(status)))
    if service_id is not None:
        query = query.where(Suggestion.service_id == service_id)
    if kinds:
        # ``kinds`` is stored as "A,B"; wrapped in commas, each name matches exactly.
        wrapped = sa.literal(",") + col(Suggestion.kinds) + sa.literal(",")
        query = query.where(
            sa.or_(*(wrapped.like(f"%,{kind.name},%") for kind in dict.fromkeys(kinds)))
        )
    if bbox is not None:
        _check_bbox(bbox)
        query = query.where(col(Suggestion.id).in_(_ids_in_bbox(session, query, bbox)))
    key = (
        SortKey(col(Suggestion.vote_count), col(Suggestion.id))
        if sort is SuggestionSort.MOST_VOTED
        else SortKey(col(Suggestion.id), col(Suggestion.id))
    )
    return keyset_page(session, query, sort=key, first=first, after=after)


def vote_for_suggestion(session: Session, *, actor: Actor | None, suggestion_id: int) -> Voted:
    """A resident's vote.

    A second vote is refused with ``CONFLICT`` ("you already voted; withdraw first"), as
    issue 6 asks ("CONFLICT on a second review or vote"): one vote each is a rule the
    caller should hear about, like one review each, and a client showing a stale "vote"
    button learns that its view is out of date instead of silently succeeding. The vote
    count is never changed by it, so retrying is still safe; withdrawing
    (:func:`withdraw_vote`) stays idempotent, since "no vote of mine" is a state to reach,
    not an act that can be repeated.

    Raises
    ------
    NotAuthenticated, Forbidden
        Not a resident, or the suggestion's author.
    NotFound
    Conflict
        The resident voted for this suggestion already.
    """
    actor = require_resident(actor, "voting")
    suggestion = _lock(session, suggestion_id)
    if suggestion.author_id == actor.person_id:
        # A vote says "I want this too": the author's own says nothing new, and would let
        # every idea start with a free vote.
        raise Forbidden("you cannot vote for your own idea")
    existing = session.exec(
        select(SuggestionVote).where(
            SuggestionVote.suggestion_id == suggestion_id,
            SuggestionVote.person_id == actor.person_id,
        )
    ).first()
    if existing is not None:
        raise Conflict(Message("community.voted_suggestion_already", {"id": suggestion_id}))
    assert actor.person_id is not None
    session.add(SuggestionVote(suggestion_id=suggestion_id, person_id=actor.person_id))
    suggestion.vote_count += 1
    session.add(suggestion)
    _follow(session, actor.person_id, suggestion_id)
    return Voted(suggestion=suggestion, voted=True)


def withdraw_vote(session: Session, *, actor: Actor | None, suggestion_id: int) -> Voted:
    """Withdraw a resident's vote; withdrawing a vote not cast changes nothing.

    Raises
    ------
    NotAuthenticated, Forbidden, NotFound
    """
    actor = require_resident(actor, "withdrawing a vote")
    suggestion = _lock(session, suggestion_id)
    existing = session.exec(
        select(SuggestionVote).where(
            SuggestionVote.suggestion_id == suggestion_id,
            SuggestionVote.person_id == actor.person_id,
        )
    ).first()
    if existing is not None:
        session.delete(existing)
        suggestion.vote_count -= 1
        session.add(suggestion)
    return Voted(suggestion=suggestion, voted=False)


def is_following(session: Session, *, person_id: int, suggestion_id: int) -> bool:
    """Whether a person follows a suggestion."""
    query = select(SuggestionFollow.id).where(
        SuggestionFollow.person_id == person_id, SuggestionFollow.suggestion_id == suggestion_id
    )
    return session.exec(query).first() is not None


def follow_suggestion(
    session: Session, *, actor: Actor | None, suggestion_id: int, follow: bool
) -> Suggestion:
    """Follow or unfollow a suggestion (idempotent both ways).

    Raises
    ------
    NotAuthenticated, Forbidden, NotFound
    """
    actor = require_person(actor, "following a suggestion")
    assert actor.person_id is not None
    suggestion = get_suggestion(session, actor=actor, suggestion_id=suggestion_id)
    if follow:
        _follow(session, actor.person_id, suggestion_id)
    else:
        row = session.exec(
            select(SuggestionFollow).where(
                SuggestionFollow.person_id == actor.person_id,
                SuggestionFollow.suggestion_id == suggestion_id,
            )
        ).first()
        if row is not None:
            session.delete(row)
    return suggestion


def change_status(
    session: Session,
    *,
    actor: Actor | None,
    suggestion_id: int,
    status: SuggestionStatus,
    reason: str,
) -> tuple[Suggestion, SuggestionStatusChange]:
    """Move a suggestion to ``status``, recording who decided and why.

    Raises
    ------
    NotAuthenticated
    Forbidden
        Residents, and partners deciding on another partner's service (see
        :func:`~marketplace.community.access.may_decide`).
    InvalidInput
        No reason, or the suggestion has that status already.
    NotFound
    """
    if actor is None:
        raise NotAuthenticated(
            "deciding on a suggestion needs a city or partner account, or a partner API key"
        )
    suggestion = _lock(session, suggestion_id)
    service = session.get(MobilityService, suggestion.service_id) if suggestion.service_id else None
    if not may_decide(actor, suggestion, service):
        raise Forbidden(
            "only the city's planners and admins, and partners for their own services, decide "
            "on suggestions"
        )
    reason = clean_text("reason", reason, max_len=MAX_REASON)
    if status is suggestion.status:
        raise InvalidInput(f"the suggestion is {status.name} already", field="status")
    change = SuggestionStatusChange(
        suggestion_id=suggestion_id,
        from_status=suggestion.status,
        to_status=status,
        reason=reason,
        decided_by_id=actor.person_id,
        partner_id=actor.partner_id,
    )
    suggestion.status = status
    suggestion.updated_at = utcnow()
    session.add(suggestion)
    session.add(change)
    session.flush()
    record_community_event(
        session,
        CommunityEvent(
            kind=CommunityEventKind.STATUS_CHANGED,
            suggestion_id=suggestion_id,
            status=suggestion.status,
            by_person_id=change.decided_by_id,
        ),
    )
    return suggestion, change


def status_history(session: Session, suggestion_id: int) -> list[SuggestionStatusChange]:
    """Every status change of a suggestion, oldest first."""
    query = (
        select(SuggestionStatusChange)
        .where(SuggestionStatusChange.suggestion_id == suggestion_id)
        .order_by(col(SuggestionStatusChange.id))
    )
    return list(session.exec(query))
