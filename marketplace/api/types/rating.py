"""The GraphQL type of a service's community rating (kept apart so the service type can use
it without importing the whole community schema)."""

from __future__ import annotations

import strawberry

from marketplace.community.ratings import RatingSummary

__all__ = ["ServiceRatingType"]


@strawberry.type(
    name="ServiceRating", description="What residents think of a service (visible reviews)."
)
class ServiceRatingType:
    average: float | None = strawberry.field(description="Mean stars, 1 to 5; null if unrated.")
    count: int = strawberry.field(description="Number of visible reviews.")
    distribution: list[int] = strawberry.field(
        description="How many reviews gave 1, 2, 3, 4 and 5 stars (five numbers)."
    )

    @classmethod
    def from_summary(cls, summary: RatingSummary) -> ServiceRatingType:
        return cls(
            average=summary.average, count=summary.count, distribution=list(summary.distribution)
        )
