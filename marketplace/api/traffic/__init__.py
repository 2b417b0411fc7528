"""Traffic GraphQL for the city's planners: congestion, hotspots, demand, runs, scenarios,
incidents.
"""
