"""Store generation and retired datasets: reloads under a running server

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 09:00:00

`store_generation` holds one row whose counter every committed load bumps; a running server
polls it and swaps in a fresh reference. `dataset.retired_at` marks a dataset that a later
load replaced: its rows stay for a grace period so that references made before the load
keep answering from their own data, and a later load deletes them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "store_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 1}])
    op.add_column("dataset", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dataset") as batch:
        batch.drop_column("retired_at")
    op.drop_table("store_generation")
