"""Clinical Laboratory and DMEPOS/PEN fee schedule tables

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 23:58:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from medpayiq.store._schema import ExactDecimal

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _dataset_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"])


def upgrade() -> None:
    op.create_table(
        "clfs",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hcpcs", sa.Text(), nullable=False),
        sa.Column("modifier", sa.Text(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("rate", ExactDecimal(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("long_description", sa.Text(), nullable=False),
        sa.Column("extended_description", sa.Text(), nullable=False),
        _dataset_fk(),
    )
    op.create_index("ix_clfs_lookup", "clfs", ["dataset_id", "hcpcs", "modifier"], unique=False)
    op.create_table(
        "dmepos",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hcpcs", sa.Text(), nullable=False),
        sa.Column("modifier", sa.Text(), nullable=False),
        sa.Column("modifier2", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("nonrural", ExactDecimal(), nullable=False),
        sa.Column("rural", ExactDecimal(), nullable=False),
        sa.Column("jurisdiction", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("ceiling", ExactDecimal(), nullable=True),
        sa.Column("floor", ExactDecimal(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        _dataset_fk(),
    )
    op.create_index(
        "ix_dmepos_lookup", "dmepos", ["dataset_id", "hcpcs", "modifier", "modifier2"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_dmepos_lookup", table_name="dmepos")
    op.drop_table("dmepos")
    op.drop_index("ix_clfs_lookup", table_name="clfs")
    op.drop_table("clfs")
