"""What an import did, shared by every feed format."""

from __future__ import annotations

from dataclasses import dataclass, field

from marketplace.models import MobilityService

__all__ = ["MAX_SKIPPED_KEPT", "ImportReport", "SkippedRow"]

MAX_SKIPPED_KEPT = 1000
"""Skipped rows kept with their reasons; beyond, they are only counted (a feed of millions of
repeated rows must not hold millions of reasons in memory)."""


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row left out of an import, and why."""

    feed: str
    id: str
    reason: str


@dataclass
class ImportReport:
    """Per feed (or file), rows created and updated; rows skipped with reasons."""

    service_id: int
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    skipped: list[SkippedRow] = field(default_factory=list)
    skipped_beyond_kept: int = 0
    station_ids: tuple[int, ...] = ()
    service: MobilityService | None = None

    def count(self, feed: str, *, created: int = 0, updated: int = 0) -> None:
        """Add to the counts of ``feed``."""
        self.created[feed] = self.created.get(feed, 0) + created
        self.updated[feed] = self.updated.get(feed, 0) + updated

    def skip(self, row: SkippedRow) -> None:
        """Report ``row`` skipped (kept up to :data:`MAX_SKIPPED_KEPT`, counted always)."""
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            self.skipped.append(row)
        else:
            self.skipped_beyond_kept += 1

    @property
    def skipped_count(self) -> int:
        """Every row skipped, kept or only counted."""
        return len(self.skipped) + self.skipped_beyond_kept
