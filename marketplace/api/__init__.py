"""The GraphQL API (strawberry): the schema is built in :mod:`marketplace.api.schema`.

One sub-package per domain (catalogue, community, identity, ingest, planning, traffic), each
with its types, inputs, queries, mutations and subscriptions. Resolvers stay thin: they
decode ids, check who may call (:mod:`marketplace.api.permissions`), run domain functions in
a worker thread through the request's :class:`~marketplace.api.context.Context` and wrap rows
in their types. Change events are not theirs to send: the storage layer publishes them once
the transaction has committed (:mod:`marketplace.events`).
"""
