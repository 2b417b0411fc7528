"""Trip planning in the marketplace: the published catalogue as planner values, and the
:class:`~marketplace.planning.plans.Planning` the server holds to answer ``plan`` queries.
"""
