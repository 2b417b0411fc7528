"""The marketplace's local time: Issy-les-Moulineaux keeps Paris time.

Opening hours, GBFS ``system_information`` and planned-trip periods are all read in this one
zone, the one :mod:`routing.regions.issy` defines for the engine's Issy-specific parts.
"""

from __future__ import annotations

from routing.regions.issy import TIMEZONE

__all__ = ["PARIS"]

PARIS = TIMEZONE
"""Issy's time zone (``Europe/Paris``, with its summer time)."""
