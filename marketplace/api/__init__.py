"""The GraphQL API (strawberry): the schema is built in :mod:`marketplace.api.schema`.

Resolvers stay thin: they decode ids, run catalogue functions in a worker thread through
the request's :class:`~marketplace.api.context.Context`, publish catalogue events once a
change has committed, and wrap rows in the types of :mod:`marketplace.api.types`.
"""
