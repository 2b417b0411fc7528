"""The marketplace's local time: Issy-les-Moulineaux keeps Paris time.

Opening hours, GBFS ``system_information`` and planned-trip periods are all read in this one
zone; the engine (:mod:`routing`) takes the zone as an argument and never assumes it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

__all__ = ["PARIS"]

PARIS = ZoneInfo("Europe/Paris")
"""Issy's time zone (``Europe/Paris``, with its summer time)."""
