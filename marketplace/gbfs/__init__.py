"""A GBFS 3.0 view of every published bike and scooter share, for existing apps."""

from marketplace.gbfs.feeds import FEEDS, GBFS_KINDS, build_feed
from marketplace.gbfs.routes import gbfs_routes

__all__ = ["FEEDS", "GBFS_KINDS", "build_feed", "gbfs_routes"]
