"""Issy Mobility's street routing engine: OSM -> compact graphs -> search.

This package never imports ``marketplace``; it takes paths, speeds and modes as arguments.
"""
