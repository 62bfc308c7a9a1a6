"""Initial schema: dataset provenance and one table per kind

Revision ID: 0001
Revises:
Create Date: 2026-11-25 03:50:03.457497
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Frozen here: later changes to ExactDecimal's behaviour need a migration of their own.
from medpayiq.store._schema import ExactDecimal

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("release", sa.Text(), nullable=False),
        sa.Column("variant", sa.Text(), server_default="", nullable=False),
        sa.Column("family", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("layout", sa.Text(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("billable", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_dataset_active_key",
        "dataset",
        ["kind", "release", "variant"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )

    op.create_table(
        "addon",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("primary", sa.Text(), nullable=False),
        sa.Column("addon", sa.Text(), nullable=False),
        sa.Column("edit_type", sa.Text(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("deletion", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_addon_lookup", "addon", ["dataset_id", "addon"], unique=False)

    op.create_table(
        "adjustment",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_adjustment_lookup", "adjustment", ["dataset_id"], unique=False)

    op.create_table(
        "anes",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.Text(), nullable=False),
        sa.Column("locality", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("cf", ExactDecimal(), nullable=False),
        sa.Column("cf_qp", ExactDecimal(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_anes_lookup", "anes", ["dataset_id"], unique=False)

    op.create_table(
        "gpci",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.Text(), nullable=False),
        sa.Column("locality", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("work", ExactDecimal(), nullable=False),
        sa.Column("pe", ExactDecimal(), nullable=False),
        sa.Column("mp", ExactDecimal(), nullable=False),
        sa.Column("work_no_floor", ExactDecimal(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_gpci_lookup", "gpci", ["dataset_id"], unique=False)

    op.create_table(
        "hcpcs",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("long_description", sa.Text(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("added", sa.Date(), nullable=True),
        sa.Column("terminated", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_hcpcs_lookup", "hcpcs", ["dataset_id"], unique=False)

    op.create_table(
        "icd10cm",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_icd10cm_lookup", "icd10cm", ["dataset_id", "code"], unique=False)

    op.create_table(
        "locco",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.Text(), nullable=False),
        sa.Column("locality", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("fee_schedule_area", sa.Text(), nullable=False),
        sa.Column("counties", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_locco_lookup", "locco", ["dataset_id"], unique=False)

    op.create_table(
        "mcd_article_contractor",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("contractor_number", sa.Text(), nullable=False),
        sa.Column("contractor_name", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index(
        "ix_mcd_article_contractor_lookup", "mcd_article_contractor", ["dataset_id"], unique=False
    )

    op.create_table(
        "mcd_article_hcpcs",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("hcpcs", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index(
        "ix_mcd_article_hcpcs_lookup", "mcd_article_hcpcs", ["dataset_id"], unique=False
    )

    op.create_table(
        "mcd_article_icd10",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("icd10_from", sa.Text(), nullable=False),
        sa.Column("icd10_to", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("group", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index(
        "ix_mcd_article_icd10_lookup", "mcd_article_icd10", ["dataset_id"], unique=False
    )

    op.create_table(
        "modifier",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_modifier_lookup", "modifier", ["dataset_id"], unique=False)

    op.create_table(
        "mue",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hcpcs", sa.Text(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("mai", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_mue_lookup", "mue", ["dataset_id", "hcpcs"], unique=False)

    op.create_table(
        "mue_outpatient",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hcpcs", sa.Text(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("mai", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index(
        "ix_mue_outpatient_lookup", "mue_outpatient", ["dataset_id", "hcpcs"], unique=False
    )

    op.create_table(
        "oppscap",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hcpcs", sa.Text(), nullable=False),
        sa.Column("modifier", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("carrier", sa.Text(), nullable=False),
        sa.Column("locality", sa.Text(), nullable=False),
        sa.Column("facility", ExactDecimal(), nullable=False),
        sa.Column("nonfacility", ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_oppscap_lookup", "oppscap", ["dataset_id"], unique=False)

    op.create_table(
        "payment",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.Text(), nullable=False),
        sa.Column("locality", sa.Text(), nullable=False),
        sa.Column("hcpcs", sa.Text(), nullable=False),
        sa.Column("modifier", sa.Text(), nullable=False),
        sa.Column("nonfacility", ExactDecimal(), nullable=False),
        sa.Column("facility", ExactDecimal(), nullable=False),
        sa.Column("pctc", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("mult_surg", sa.Text(), nullable=False),
        sa.Column("opps_indicator", sa.Text(), nullable=False),
        sa.Column("opps_nonfacility", ExactDecimal(), nullable=False),
        sa.Column("opps_facility", ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_payment_lookup", "payment", ["dataset_id"], unique=False)

    op.create_table(
        "pos",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("facility", sa.Boolean(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_pos_lookup", "pos", ["dataset_id"], unique=False)

    op.create_table(
        "pprrvu",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("hcpcs", sa.Text(), nullable=False),
        sa.Column("modifier", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("not_used_for_medicare", sa.Boolean(), nullable=False),
        sa.Column("work", ExactDecimal(), nullable=False),
        sa.Column("pe_nonfacility", ExactDecimal(), nullable=False),
        sa.Column("pe_nonfacility_na", sa.Boolean(), nullable=False),
        sa.Column("pe_facility", ExactDecimal(), nullable=False),
        sa.Column("pe_facility_na", sa.Boolean(), nullable=False),
        sa.Column("mp", ExactDecimal(), nullable=False),
        sa.Column("total_nonfacility", ExactDecimal(), nullable=False),
        sa.Column("total_facility", ExactDecimal(), nullable=False),
        sa.Column("pctc", sa.Text(), nullable=False),
        sa.Column("global_days", sa.Text(), nullable=False),
        sa.Column("pre_op", ExactDecimal(), nullable=False),
        sa.Column("intra_op", ExactDecimal(), nullable=False),
        sa.Column("post_op", ExactDecimal(), nullable=False),
        sa.Column("mult_proc", sa.Text(), nullable=False),
        sa.Column("bilat_surg", sa.Text(), nullable=False),
        sa.Column("asst_surg", sa.Text(), nullable=False),
        sa.Column("co_surg", sa.Text(), nullable=False),
        sa.Column("team_surg", sa.Text(), nullable=False),
        sa.Column("pric_ind", sa.Text(), nullable=True),
        sa.Column("endo_base", sa.Text(), nullable=False),
        sa.Column("conversion_factor", ExactDecimal(), nullable=False),
        sa.Column("phys_supervision", sa.Text(), nullable=False),
        sa.Column("calc_flag", sa.Text(), nullable=False),
        sa.Column("diag_imaging_family", sa.Text(), nullable=False),
        sa.Column("opps_pe_nonfacility", ExactDecimal(), nullable=False),
        sa.Column("opps_pe_facility", ExactDecimal(), nullable=False),
        sa.Column("opps_mp", ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_pprrvu_lookup", "pprrvu", ["dataset_id", "hcpcs", "modifier"], unique=False)

    op.create_table(
        "ptp",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("column1", sa.Text(), nullable=False),
        sa.Column("column2", sa.Text(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("deletion", sa.Date(), nullable=True),
        sa.Column("modifier_indicator", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_ptp_lookup", "ptp", ["dataset_id", "column1", "column2"], unique=False)

    op.create_table(
        "zip5",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("zip5", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("carrier", sa.Text(), nullable=False),
        sa.Column("locality", sa.Text(), nullable=False),
        sa.Column("rural", sa.Text(), nullable=False),
        sa.Column("plus_four", sa.Boolean(), nullable=False),
        sa.Column("year_quarter", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
    )
    op.create_index("ix_zip5_lookup", "zip5", ["dataset_id", "zip5"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_zip5_lookup", table_name="zip5")

    op.drop_table("zip5")
    op.drop_index("ix_ptp_lookup", table_name="ptp")

    op.drop_table("ptp")
    op.drop_index("ix_pprrvu_lookup", table_name="pprrvu")

    op.drop_table("pprrvu")
    op.drop_index("ix_pos_lookup", table_name="pos")

    op.drop_table("pos")
    op.drop_index("ix_payment_lookup", table_name="payment")

    op.drop_table("payment")
    op.drop_index("ix_oppscap_lookup", table_name="oppscap")

    op.drop_table("oppscap")
    op.drop_index("ix_mue_outpatient_lookup", table_name="mue_outpatient")

    op.drop_table("mue_outpatient")
    op.drop_index("ix_mue_lookup", table_name="mue")

    op.drop_table("mue")
    op.drop_index("ix_modifier_lookup", table_name="modifier")

    op.drop_table("modifier")
    op.drop_index("ix_mcd_article_icd10_lookup", table_name="mcd_article_icd10")

    op.drop_table("mcd_article_icd10")
    op.drop_index("ix_mcd_article_hcpcs_lookup", table_name="mcd_article_hcpcs")

    op.drop_table("mcd_article_hcpcs")
    op.drop_index("ix_mcd_article_contractor_lookup", table_name="mcd_article_contractor")

    op.drop_table("mcd_article_contractor")
    op.drop_index("ix_locco_lookup", table_name="locco")

    op.drop_table("locco")
    op.drop_index("ix_icd10cm_lookup", table_name="icd10cm")

    op.drop_table("icd10cm")
    op.drop_index("ix_hcpcs_lookup", table_name="hcpcs")

    op.drop_table("hcpcs")
    op.drop_index("ix_gpci_lookup", table_name="gpci")

    op.drop_table("gpci")
    op.drop_index("ix_anes_lookup", table_name="anes")

    op.drop_table("anes")
    op.drop_index("ix_adjustment_lookup", table_name="adjustment")

    op.drop_table("adjustment")
    op.drop_index("ix_addon_lookup", table_name="addon")

    op.drop_table("addon")
    op.drop_index(
        "uq_dataset_active_key",
        table_name="dataset",
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )

    op.drop_table("dataset")
