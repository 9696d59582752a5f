"""Every case-id column is VARCHAR(16), as ``cases.case_id`` is (the timeline annotations and
the evidence tables had 20).

SQLite rebuilds the two evidence tables to change a column type, which drops their
append-only triggers; they are made again right after.

Revision ID: 0008_case_id_width
Revises: 0007_audit_append_only
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_case_id_width"
down_revision = "0007_audit_append_only"
branch_labels = None
depends_on = None

_TABLES = ("timeline_annotations", "evidence_items", "evidence_custody")
_APPEND_ONLY = ("evidence_items", "evidence_custody")


def _sqlite_triggers(create: bool) -> None:
    for table in _APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            name = f"{table}_no_{action.lower()}"
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            if create:
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
                )


def _width(old: int, new: int) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _sqlite_triggers(create=False)
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "case_id",
                existing_type=sa.String(old),
                type_=sa.String(new),
                existing_nullable=False,
            )
    if sqlite:
        _sqlite_triggers(create=True)


def upgrade() -> None:
    _width(20, 16)


def downgrade() -> None:
    _width(16, 20)
