"""Feeds out: a GBFS 3.0 view of every published bike and scooter share, for existing apps.

The documents are built here; :mod:`marketplace.http.gbfs` serves them.
"""

from marketplace.feeds.gbfs import FEEDS, GBFS_KINDS, build_feed

__all__ = ["FEEDS", "GBFS_KINDS", "build_feed"]
