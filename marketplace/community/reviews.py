"""Residents' reviews of services, and the owning partner's official replies."""

from __future__ import annotations

import enum

from sqlmodel import Session, col, select

from marketplace.catalogue.services import get_service
from marketplace.community.access import require_partner, require_resident
from marketplace.community.limits import (
    DEFAULT_POSTING_LIMIT,
    MAX_REVIEW,
    PostingLimit,
    check_posting_rate,
    clean_text,
)
from marketplace.community.paging import Page, SortKey, keyset_page
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.i18n import Message
from marketplace.identity.actors import Actor
from marketplace.models import MobilityService, Review, ServiceStatus, utcnow

__all__ = [
    "ReviewSort",
    "create_review",
    "get_review",
    "list_reviews",
    "reply_to_review",
    "update_review",
]


class ReviewSort(enum.Enum):
    """Orders of a service's reviews."""

    NEWEST = "newest"
    BEST_RATED = "best_rated"
    WORST_RATED = "worst_rated"


def _check_rating(rating: int) -> int:
    if not 1 <= rating <= 5:
        raise InvalidInput(Message("community.rating", {"rating": rating}), field="rating")
    return rating


def get_review(session: Session, *, actor: Actor | None, review_id: int) -> Review:
    """A review the caller may see (hidden ones only for moderators).

    Raises
    ------
    NotFound
    """
    review = session.get(Review, review_id)
    if review is None or (review.hidden_at is not None and not (actor and actor.is_moderator)):
        raise NotFound(Message("community.review_not_found", {"id": review_id}))
    get_service(session, actor=actor, service_id=review.service_id)  # NotFound if not visible
    return review


def create_review(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    rating: int,
    text: str,
    limit: PostingLimit = DEFAULT_POSTING_LIMIT,
) -> Review:
    """A resident reviews a published service, once.

    Raises
    ------
    NotAuthenticated, Forbidden
        Not a resident.
    NotFound
        No published service of that id.
    InvalidInput
        Rating outside 1..5, text too long.
    Conflict
        The resident reviewed this service already (edit it with :func:`update_review`).
    RateLimited
        Posting too fast.
    """
    actor = require_resident(actor, "reviewing a service")
    assert actor.person_id is not None
    service = get_service(session, actor=actor, service_id=service_id)
    if service.status is not ServiceStatus.PUBLISHED:
        raise NotFound(Message("community.service_not_found", {"id": service_id}))
    rating = _check_rating(rating)
    text = clean_text("text", text, max_len=MAX_REVIEW, required=False)
    existing = session.exec(
        select(Review).where(Review.service_id == service_id, Review.author_id == actor.person_id)
    ).first()
    if existing is not None:
        raise Conflict(
            Message("community.reviewed_already", {"id": service_id}),
            reviewId=existing.id,
        )
    check_posting_rate(session, actor.person_id, limit)
    review = Review(service_id=service_id, author_id=actor.person_id, rating=rating, text=text)
    session.add(review)
    session.flush()
    return review


def update_review(
    session: Session,
    *,
    actor: Actor | None,
    review_id: int,
    rating: int | None = None,
    text: str | None = None,
) -> Review:
    """The author edits their review.

    Raises
    ------
    NotAuthenticated
    NotFound
        Unknown or hidden review.
    Forbidden
        Someone else's review.
    InvalidInput
    """
    actor = require_resident(actor, "editing a review")
    review = get_review(session, actor=actor, review_id=review_id)
    if review.author_id != actor.person_id:
        raise Forbidden("only its author may edit a review")
    if rating is not None:
        review.rating = _check_rating(rating)
    if text is not None:
        review.text = clean_text("text", text, max_len=MAX_REVIEW, required=False)
    review.updated_at = utcnow()
    session.add(review)
    return review


def reply_to_review(session: Session, *, actor: Actor | None, review_id: int, text: str) -> Review:
    """The partner running the service answers a review officially (again to edit it).

    Raises
    ------
    NotAuthenticated, Forbidden
        Not the partner running the reviewed service.
    NotFound, InvalidInput
    """
    actor = require_partner(actor, "replying to a review")
    review = get_review(session, actor=actor, review_id=review_id)
    service = session.get(MobilityService, review.service_id)
    assert service is not None
    if service.partner_id != actor.partner_id:
        raise Forbidden("only the partner running the service may reply to its reviews")
    review.reply_text = clean_text("text", text, max_len=MAX_REVIEW)
    review.reply_by_id = actor.person_id
    review.replied_at = utcnow()
    session.add(review)
    return review


def list_reviews(
    session: Session,
    *,
    actor: Actor | None,
    service_id: int,
    sort: ReviewSort,
    first: int,
    after: tuple[int, int] | None,
) -> Page[Review]:
    """Visible reviews of a service the caller may see.

    Raises
    ------
    NotFound
        The service is unknown or not visible to the caller.
    """
    get_service(session, actor=actor, service_id=service_id)
    query = select(Review).where(Review.service_id == service_id, col(Review.hidden_at).is_(None))
    key = {
        ReviewSort.NEWEST: SortKey(col(Review.id), col(Review.id)),
        ReviewSort.BEST_RATED: SortKey(col(Review.rating), col(Review.id)),
        ReviewSort.WORST_RATED: SortKey(col(Review.rating), col(Review.id), descending=False),
    }[sort]
    return keyset_page(session, query, sort=key, first=first, after=after)
