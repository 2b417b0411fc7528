"""Street sources to networkx graphs: OSM XML/PBF/Overpass, GraphML, node/edge topologies.

The only place (with :mod:`routing.street.compile`) where osmnx and networkx are used: they
build graphs once, and compact arrays serve every request after.
"""
