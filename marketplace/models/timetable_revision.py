"""Each timetabled service's timetable revision: bumped in the same transaction as a write to it.

The catalogue version says that something changed; the timetable version that a timetable
changed; a service's revision says *which* timetable did, so the planner re-reads and
re-merges only the services whose revision moved (issue 15: a partner re-publishing a
six-stop shuttle must not make every process re-read a regional feed's 720k stop times).
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

__all__ = ["TimetableRevision"]


class TimetableRevision(SQLModel, table=True):
    """How many committed transactions have written ``service_id``'s timetable tables.

    No foreign key: a service deleted with its timetable still bumps its revision in the
    transaction that deletes it, and readers ignore revisions of services not published.
    """

    __tablename__ = "timetable_revision"

    service_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    revision: int = Field(default=0)
