"""Services' community ratings: what the catalogue shows and the trip planner filters on.

Only visible reviews count: a review a moderator hid no longer moves the average.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from marketplace.models import Review

__all__ = ["RatingSummary", "rating_summaries", "service_ratings"]


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """Average stars, number of reviews, and how many gave 1, 2, 3, 4 and 5 stars."""

    average: float | None
    count: int
    distribution: tuple[int, int, int, int, int]

    @classmethod
    def empty(cls) -> RatingSummary:
        """The summary of a service nobody reviewed."""
        return cls(average=None, count=0, distribution=(0, 0, 0, 0, 0))


def rating_summaries(session: Session, service_ids: Sequence[int]) -> dict[int, RatingSummary]:
    """Rating summaries of the given services, empty for services without reviews.

    Parameters
    ----------
    service_ids
        Database ids of the services.

    Returns
    -------
    dict[int, RatingSummary]
        One entry per requested id.
    """
    counts: dict[int, list[int]] = {sid: [0, 0, 0, 0, 0] for sid in service_ids}
    if not counts:
        return {}
    rows = session.exec(
        select(Review.service_id, Review.rating, func.count())
        .where(col(Review.service_id).in_(list(counts)), col(Review.hidden_at).is_(None))
        .group_by(col(Review.service_id), col(Review.rating))
    )
    for service_id, rating, n in rows:
        counts[service_id][rating - 1] = int(n)
    return {sid: _summary(dist) for sid, dist in counts.items()}


def _summary(dist: list[int]) -> RatingSummary:
    total = sum(dist)
    if total == 0:
        return RatingSummary.empty()
    average = sum(stars * n for stars, n in enumerate(dist, start=1)) / total
    return RatingSummary(
        average=round(average, 2),
        count=total,
        distribution=(dist[0], dist[1], dist[2], dist[3], dist[4]),
    )


def service_ratings(session: Session, service_ids: Iterable[int]) -> dict[int, float]:
    """Average rating of each service's visible reviews, for the trip planner.

    Parameters
    ----------
    session
        An open session.
    service_ids
        Database ids of the services to rate.

    Returns
    -------
    dict[int, float]
        ``service id -> average stars (1..5)``; services without visible reviews are absent,
        so a caller applying ``minServiceRating`` decides itself what "unrated" means.
    """
    ids = list(dict.fromkeys(service_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Review.service_id, func.avg(Review.rating))
        .where(col(Review.service_id).in_(ids), col(Review.hidden_at).is_(None))
        .group_by(col(Review.service_id))
    )
    return {int(service_id): float(avg) for service_id, avg in rows}
