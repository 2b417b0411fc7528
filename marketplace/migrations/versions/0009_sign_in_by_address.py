"""Sign-in failures counted per email and client address pair (issue 16).

Counted per email alone, five failures by anyone locked the account's owner out for 15
minutes. Earlier attempts have no address (``NULL``): they count for no pair and age out
with the window.

Revision ID: 0009_sign_in_by_address
Revises: 0008_catalogue_version
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_sign_in_by_address"
down_revision: str | None = "0008_catalogue_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_attempt") as table:
        table.add_column(sa.Column("client_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sign_in_attempt") as table:
        table.drop_column("client_sha256")
