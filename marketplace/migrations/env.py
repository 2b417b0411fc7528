"""Alembic environment: the engine comes from :func:`marketplace.db.upgrade_database`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import marketplace.models  # noqa: F401  (registers every table on the metadata)
from marketplace.db import create_db_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        # Plain `alembic` command line: the URL comes from `-x url=...`.
        url = context.get_x_argument(as_dictionary=True).get("url")
        if not url:
            raise RuntimeError("run `issy-mobility migrate`, or alembic with -x url=DATABASE_URL")
        engine = create_db_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
