"""Audit log: an append-only, hash-chained record of every query run and other sensitive act.

Revision ID: 0002_audit
Revises: 0001_base
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_audit"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("analyst", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(16), nullable=True),
        sa.Column("query_name", sa.String(128), nullable=True),
        sa.Column("sql_text", sa.Text, nullable=True),
        sa.Column("params", sa.Text, nullable=True),
        sa.Column("engine", sa.String(512), nullable=True),
        sa.Column("row_count", sa.BigInteger, nullable=True),
        sa.Column("result_sha256", sa.String(64), nullable=True),
        sa.Column("duration_ms", sa.Float, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("details", sa.Text, nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_table("audit_log")
