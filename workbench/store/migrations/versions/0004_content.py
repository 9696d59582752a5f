"""Content review and replies: media-viewer preferences per analyst, media reveals per case (the
wellness exposure figure) and saved replies (who, when, channel, text hash).

Revision ID: 0004_content
Revises: 0003_cases
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_content"
down_revision = "0003_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_viewer_prefs",
        sa.Column("analyst", sa.String(64), nullable=False),
        sa.Column("blur", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("analyst", name="pk_content_viewer_prefs"),
    )
    op.create_table(
        "content_reveals",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("item_ref", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_content_reveals"),
    )
    op.create_index("ix_content_reveals_case_id", "content_reveals", ["case_id"])
    op.create_table(
        "content_replies",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("scenario", sa.String(48), nullable=True),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("length", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_content_replies"),
    )
    op.create_index("ix_content_replies_case_id", "content_replies", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_content_replies_case_id", table_name="content_replies")
    op.drop_table("content_replies")
    op.drop_index("ix_content_reveals_case_id", table_name="content_reveals")
    op.drop_table("content_reveals")
    op.drop_table("content_viewer_prefs")
