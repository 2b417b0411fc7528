"""The street layer: OSM readers, compiled graphs, hierarchies, search, snapping and routing.

It imports nothing else of ``routing`` but the shared root modules (errors, geometry): the
transit, planning and traffic layers build on it, never the reverse.
"""
