"""cfli: the CFLI application's tables (calls, proposals, determinations, assessment,
agreements, payments, reports); sensitive values are stored sealed (Fernet)

Revision ID: 0004_cfli
Revises: 0003_security
Create Date: 2026-11-30 10:51:28.631090
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_cfli"
down_revision = "0003_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cfli_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=80), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_calls")),
        sa.UniqueConstraint("call_id", name=op.f("uq_cfli_calls_call_id")),
    )
    with op.batch_alter_table("cfli_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cfli_calls_mission"), ["mission"], unique=False)

    op.create_table(
        "cfli_call_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("hash", sa.String(length=80), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["cfli_calls.id"], name=op.f("fk_cfli_call_versions_call_id_cfli_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_call_versions")),
        sa.UniqueConstraint("call_id", "version", name=op.f("uq_cfli_call_versions_call_id")),
    )
    with op.batch_alter_table("cfli_call_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cfli_call_versions_call_id"), ["call_id"], unique=False
        )

    op.create_table(
        "cfli_funding_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("call_version", sa.Integer(), nullable=False),
        sa.Column("call_hash", sa.String(length=80), nullable=False),
        sa.Column("funded", sa.JSON(), nullable=False),
        sa.Column("not_funded", sa.JSON(), nullable=False),
        sa.Column("envelope_cents", sa.BigInteger(), nullable=False),
        sa.Column("committed_cents", sa.BigInteger(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["cfli_calls.id"], name=op.f("fk_cfli_funding_plans_call_id_cfli_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_funding_plans")),
    )
    with op.batch_alter_table("cfli_funding_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cfli_funding_plans_call_id"), ["call_id"], unique=False
        )

    op.create_table(
        "cfli_committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["cfli_calls.id"], name=op.f("fk_cfli_committee_call_id_cfli_calls")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cfli_committee_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_committee")),
        sa.UniqueConstraint("call_id", "user_id", name=op.f("uq_cfli_committee_call_id")),
    )
    with op.batch_alter_table("cfli_committee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cfli_committee_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cfli_committee_user_id"), ["user_id"], unique=False)

    op.create_table(
        "cfli_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("requested_cents", sa.BigInteger(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("cleared_by", sa.String(length=100), nullable=True),
        sa.Column("decision_sealed", sa.JSON(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("purged_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["cfli_calls.id"], name=op.f("fk_cfli_proposals_call_id_cfli_calls")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_cfli_proposals_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cfli_proposals_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_proposals")),
        sa.UniqueConstraint("reference", name=op.f("uq_cfli_proposals_reference")),
    )
    with op.batch_alter_table("cfli_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cfli_proposals_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cfli_proposals_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cfli_proposals_status"), ["status"], unique=False)

    op.create_table(
        "cfli_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cfli_staff_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_staff")),
        sa.UniqueConstraint("user_id", "mission", name=op.f("uq_cfli_staff_user_id")),
    )
    with op.batch_alter_table("cfli_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cfli_staff_user_id"), ["user_id"], unique=False)

    op.create_table(
        "cfli_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("drawn_up_on", sa.Date(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("closure", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["cfli_proposals.id"],
            name=op.f("fk_cfli_agreements_proposal_id_cfli_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_agreements")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_cfli_agreements_proposal_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_cfli_agreements_reference")),
    )
    op.create_table(
        "cfli_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("conflicted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["cfli_proposals.id"],
            name=op.f("fk_cfli_declarations_proposal_id_cfli_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cfli_declarations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_declarations")),
        sa.UniqueConstraint(
            "proposal_id", "user_id", name=op.f("uq_cfli_declarations_proposal_id")
        ),
    )
    with op.batch_alter_table("cfli_declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cfli_declarations_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "cfli_determinations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("call_ref", sa.String(length=80), nullable=False),
        sa.Column("call_version", sa.Integer(), nullable=False),
        sa.Column("call_hash", sa.String(length=80), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("redacted", sa.JSON(), nullable=False),
        sa.Column("sealed", sa.JSON(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["cfli_proposals.id"],
            name=op.f("fk_cfli_determinations_proposal_id_cfli_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_determinations")),
    )
    with op.batch_alter_table("cfli_determinations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cfli_determinations_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "cfli_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["cfli_proposals.id"],
            name=op.f("fk_cfli_scores_proposal_id_cfli_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cfli_scores_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_scores")),
        sa.UniqueConstraint("proposal_id", "user_id", name=op.f("uq_cfli_scores_proposal_id")),
    )
    with op.batch_alter_table("cfli_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cfli_scores_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "cfli_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["cfli_agreements.id"],
            name=op.f("fk_cfli_payments_agreement_id_cfli_agreements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_payments")),
    )
    with op.batch_alter_table("cfli_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cfli_payments_agreement_id"), ["agreement_id"], unique=False
        )

    op.create_table(
        "cfli_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("text_sealed", sa.JSON(), nullable=True),
        sa.Column("actuals", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["cfli_agreements.id"],
            name=op.f("fk_cfli_reports_agreement_id_cfli_agreements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_reports")),
        sa.UniqueConstraint("agreement_id", "kind", name=op.f("uq_cfli_reports_agreement_id")),
    )
    with op.batch_alter_table("cfli_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cfli_reports_agreement_id"), ["agreement_id"], unique=False
        )
    op.create_table(
        "cfli_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("name_sealed", sa.JSON(), nullable=False),
        sa.Column("media_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_as", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["cfli_proposals.id"],
            name=op.f("fk_cfli_documents_proposal_id_cfli_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cfli_documents")),
        sa.UniqueConstraint("stored_as", name=op.f("uq_cfli_documents_stored_as")),
    )
    with op.batch_alter_table("cfli_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cfli_documents_proposal_id"), ["proposal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cfli_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_documents_proposal_id"))
    op.drop_table("cfli_documents")
    with op.batch_alter_table("cfli_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_reports_agreement_id"))

    op.drop_table("cfli_reports")
    with op.batch_alter_table("cfli_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_payments_agreement_id"))

    op.drop_table("cfli_payments")
    with op.batch_alter_table("cfli_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_scores_proposal_id"))

    op.drop_table("cfli_scores")
    with op.batch_alter_table("cfli_determinations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_determinations_proposal_id"))

    op.drop_table("cfli_determinations")
    with op.batch_alter_table("cfli_declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_declarations_proposal_id"))

    op.drop_table("cfli_declarations")
    op.drop_table("cfli_agreements")
    with op.batch_alter_table("cfli_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_staff_user_id"))

    op.drop_table("cfli_staff")
    with op.batch_alter_table("cfli_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_cfli_proposals_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_cfli_proposals_call_id"))

    op.drop_table("cfli_proposals")
    with op.batch_alter_table("cfli_committee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_committee_user_id"))
        batch_op.drop_index(batch_op.f("ix_cfli_committee_call_id"))

    op.drop_table("cfli_committee")
    with op.batch_alter_table("cfli_funding_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_funding_plans_call_id"))

    op.drop_table("cfli_funding_plans")
    with op.batch_alter_table("cfli_call_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_call_versions_call_id"))

    op.drop_table("cfli_call_versions")
    with op.batch_alter_table("cfli_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cfli_calls_mission"))

    op.drop_table("cfli_calls")
