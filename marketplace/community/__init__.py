"""Co-creation: reviews, suggestions, votes, comments, city challenges, moderation.

Plain functions over a session, like :mod:`marketplace.catalogue`; the GraphQL layer lives in
:mod:`marketplace.api.community`.
"""

from marketplace.community.ratings import RatingSummary, rating_summaries, service_ratings

__all__ = ["RatingSummary", "rating_summaries", "service_ratings"]
