"""Filings from a case: the filings themselves (statements of reasons, member notices,
CyberTipline reports, letters, transparency counts), the authorities' requests, preservation
holds, and reviewers' steps on media before it is reported.

Revision ID: 0010_filings
Revises: 0009_audit_identity
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_filings"
down_revision = "0009_audit_identity"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("case_id", sa.String(16), nullable=True),
        sa.Column("decision_id", sa.Integer, nullable=True),
        sa.Column("subject", sa.BigInteger, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("created_at"),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        _ts("submitted_at", nullable=True),
        sa.Column("submitted_by", sa.String(64), nullable=True),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_filings"),
        sa.UniqueConstraint("key", name="uq_filings_key"),
    )
    op.create_index("ix_filings_kind", "filings", ["kind"])
    op.create_index("ix_filings_case_id", "filings", ["case_id"])
    op.create_table(
        "legal_requests",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        _ts("received_at"),
        sa.Column("subjects", sa.JSON, nullable=False),
        sa.Column("data_types", sa.JSON, nullable=False),
        _ts("period_start"),
        _ts("period_end"),
        sa.Column("items", sa.JSON, nullable=False),
        _ts("created_at"),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_legal_requests"),
        sa.UniqueConstraint("case_id", "request_id", name="uq_legal_requests_case_id"),
    )
    op.create_index("ix_legal_requests_case_id", "legal_requests", ["case_id"])
    op.create_table(
        "preservation_holds",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey(
                "legal_requests.id", name="fk_preservation_holds_request_id_legal_requests"
            ),
            nullable=True,
        ),
        sa.Column(
            "filing_id",
            sa.Integer,
            sa.ForeignKey("filings.id", name="fk_preservation_holds_filing_id_filings"),
            nullable=True,
        ),
        _ts("started_at"),
        _ts("due"),
        sa.Column("renewals", sa.Integer, nullable=False),
        _ts("renewed_at", nullable=True),
        _ts("released_at", nullable=True),
        sa.Column("released_by", sa.String(64), nullable=True),
        sa.Column("release_reason", sa.Text, nullable=True),
        _ts("created_at"),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_preservation_holds"),
    )
    op.create_index("ix_preservation_holds_case_id", "preservation_holds", ["case_id"])
    op.create_index("ix_preservation_holds_due", "preservation_holds", ["due"])
    op.create_table(
        "filing_file_reviews",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        _ts("at"),
        sa.Column("industry", sa.String(2), nullable=True),
        sa.Column("viewed", sa.Boolean, nullable=False),
        sa.Column("exif_viewed", sa.Boolean, nullable=False),
        sa.Column("public", sa.Boolean, nullable=True),
        sa.Column("relevance", sa.String(24), nullable=False),
        sa.Column("annotations", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_filing_file_reviews"),
    )
    op.create_index("ix_filing_file_reviews_case_id", "filing_file_reviews", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_filing_file_reviews_case_id", table_name="filing_file_reviews")
    op.drop_table("filing_file_reviews")
    op.drop_index("ix_preservation_holds_due", table_name="preservation_holds")
    op.drop_index("ix_preservation_holds_case_id", table_name="preservation_holds")
    op.drop_table("preservation_holds")
    op.drop_index("ix_legal_requests_case_id", table_name="legal_requests")
    op.drop_table("legal_requests")
    op.drop_index("ix_filings_case_id", table_name="filings")
    op.drop_index("ix_filings_kind", table_name="filings")
    op.drop_table("filings")
