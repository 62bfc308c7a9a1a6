"""The boundary dates of NCCI PTP and add-on datasets, kept with the dataset

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:00:00

`dataset.edit_dates`: the dates on which an edit of the dataset comes into force or stops
applying (`medpayiq.reference.edit_boundaries`), ISO dates separated by spaces. A load writes
them as the rows stream past; this migration fills them in for the PTP and add-on datasets
already stored, from their distinct (effective, deletion) pairs, so that a new reference
reads them instead of scanning the table each time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from medpayiq.reference import boundaries_of
from medpayiq.store._queries import edit_dates_text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DATASET = sa.table(
    "dataset", sa.column("id", sa.Integer), sa.column("kind", sa.Text),
    sa.column("edit_dates", sa.Text),
)  # fmt: skip


def upgrade() -> None:
    op.add_column("dataset", sa.Column("edit_dates", sa.Text(), nullable=True))
    conn = op.get_bind()
    for kind in ("ptp", "addon"):
        rows = sa.table(
            kind, sa.column("dataset_id", sa.Integer), sa.column("effective", sa.Date),
            sa.column("deletion", sa.Date),
        )  # fmt: skip
        ids = conn.execute(sa.select(_DATASET.c.id).where(_DATASET.c.kind == kind)).scalars()
        for dataset_id in list(ids):
            pairs = conn.execute(
                sa.select(rows.c.effective, rows.c.deletion)
                .where(rows.c.dataset_id == dataset_id)
                .distinct()
            ).all()
            days = boundaries_of([p[0] for p in pairs], [p[1] for p in pairs])
            conn.execute(
                sa.update(_DATASET)
                .where(_DATASET.c.id == dataset_id)
                .values(edit_dates=edit_dates_text(days))
            )


def downgrade() -> None:
    with op.batch_alter_table("dataset") as batch:
        batch.drop_column("edit_dates")
