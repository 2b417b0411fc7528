"""The catalogue's version: one row, bumped in the same transaction as every catalogue change.

Every server process reads it before planning (:mod:`marketplace.events.version`), so a plan
never uses a catalogue older than the last committed change even if every change message
between processes was lost.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

__all__ = [
    "CATALOGUE_VERSION_ROW",
    "CREDENTIALS_VERSION_ROW",
    "TIMETABLE_VERSION_ROW",
    "CatalogueVersion",
]

CATALOGUE_VERSION_ROW = 1
"""The primary key of the catalogue version's row."""
TIMETABLE_VERSION_ROW = 2
"""The primary key of the timetable version's row: bumped (with the catalogue version) only by
transactions that wrote timetables, so the planner re-reads them only then."""
CREDENTIALS_VERSION_ROW = 6
"""The primary key of the credentials version's row: bumped by every transaction that wrote a
partner or an API key (a ``last_used_at`` stamp alone excepted), never with the catalogue
version. Servers keep authenticated keys while it has not moved (rows 3, 4 and 5 are the
unattributed timetable row, the static version and the live sequence of
:mod:`marketplace.events.version`)."""


class CatalogueVersion(SQLModel, table=True):
    """How many committed transactions have changed the catalogue (services, stations,
    availability, offers, timetables)."""

    __tablename__ = "catalogue_version"

    id: int = Field(default=CATALOGUE_VERSION_ROW, primary_key=True)
    version: int = Field(default=0)
