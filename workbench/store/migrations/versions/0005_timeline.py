"""Timeline annotations: stars, tags and comments on timeline events.

Append-only: each row is one act (star, unstar, tag, untag, comment, evidence) by one analyst at
one time, so the table is its own audit trail; the current state is folded from it.

Revision ID: 0005_timeline
Revises: 0004_content
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_timeline"
down_revision = "0004_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timeline_annotations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("event_ts", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=True),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_timeline_annotations_case_ref", "timeline_annotations", ["case_id", "ref"])


def downgrade() -> None:
    op.drop_index("ix_timeline_annotations_case_ref", table_name="timeline_annotations")
    op.drop_table("timeline_annotations")
