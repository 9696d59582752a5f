"""Evidence items and their chain of custody.

Both tables are append-only: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL, so an
item cannot be altered once collected (a correction is a new item that ``supersedes`` it) and a
custody event cannot be rewritten.

Revision ID: 0006_evidence
Revises: 0005_timeline
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_evidence"
down_revision = "0005_timeline"
branch_labels = None
depends_on = None

_TABLES = ("evidence_items", "evidence_custody")


def upgrade() -> None:
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(20), nullable=False),
        sa.Column("item_no", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("collected_by", sa.String(64), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "supersedes",
            sa.Integer,
            sa.ForeignKey("evidence_items.id", name="fk_evidence_items_supersedes_evidence_items"),
            nullable=True,
        ),
        sa.Column("note", sa.Text, nullable=True),
        sa.UniqueConstraint("case_id", "item_no", name="uq_evidence_items_case_id"),
        sa.UniqueConstraint("supersedes", name="uq_evidence_items_supersedes"),
    )
    op.create_index("ix_evidence_items_case_id", "evidence_items", ["case_id"])
    op.create_table(
        "evidence_custody",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(20), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("item_id", sa.Integer, nullable=True),
        sa.Column("bundle_id", sa.String(40), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("why", sa.Text, nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_evidence_custody_case_id"),
    )
    op.create_index("ix_evidence_custody_bundle_id", "evidence_custody", ["bundle_id"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in _TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION evidence_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION '% are append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        for table in _TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION evidence_append_only()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in _TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    elif dialect == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS evidence_append_only()")
    op.drop_index("ix_evidence_custody_bundle_id", table_name="evidence_custody")
    op.drop_table("evidence_custody")
    op.drop_index("ix_evidence_items_case_id", table_name="evidence_items")
    op.drop_table("evidence_items")
