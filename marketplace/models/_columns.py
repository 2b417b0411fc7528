"""Column types shared by the tables: timezone-aware UTC times and enums stored as text."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import SQLModel

__all__ = ["UTCDateTime", "enum_column", "utcnow"]

# Named constraints let later migrations drop or alter them, SQLite batch mode included.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A ``DateTime(timezone=True)`` that always gives back aware UTC datetimes.

    SQLite stores no offset, so values read back would be naive; normalising here keeps
    every ``*_at`` in the code aware, whatever the database.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def enum_column(
    enum_class: type[enum.Enum], *, nullable: bool = False, **kw: Any
) -> sa.Column[Any]:
    """A column storing the enum's member *names* as plain text.

    Text rather than a native PostgreSQL enum so adding a member needs no migration.
    """
    return sa.Column(
        sa.Enum(enum_class, native_enum=False, length=32, create_constraint=False),
        nullable=nullable,
        **kw,
    )


def foreign_key_column(
    target: str, *, nullable: bool = False, ondelete: str = "CASCADE"
) -> sa.Column[Any]:
    """An indexed integer foreign key to ``target`` (``"table.column"``)."""
    return sa.Column(
        sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True
    )
