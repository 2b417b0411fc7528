"""Ingest GraphQL: partners import GBFS and GTFS feeds into their services."""
