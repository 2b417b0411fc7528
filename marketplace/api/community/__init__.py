"""Community GraphQL: reviews, suggestions, votes, comments, proposals, challenges, moderation, and
live activity on followed suggestions.
"""
