"""Cases: the case table, id counters, subjects, related cases, confidential reporters, the
change log, notes and decisions (with their clauses).

Revision ID: 0003_cases
Revises: 0002_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_cases"
down_revision = "0002_audit"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name=f"fk_{table}_case_id_cases")


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("category", sa.String(48), nullable=False),
        sa.Column("priority", sa.String(2), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("custom", sa.JSON, nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        _ts("created_at", False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _ts("claimed_at"),
        _ts("first_action_at"),
        _ts("decided_at"),
        _ts("closed_at"),
        sa.Column("paused_seconds", sa.Float, nullable=False),
        _ts("paused_since"),
        _ts("preservation_due"),
        sa.Column("version", sa.Integer, nullable=False),
        _ts("updated_at", False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_cases"),
        sa.UniqueConstraint("external_id", name="uq_cases_external_id"),
    )
    for col in ("category", "status", "assignee", "created_at"):
        op.create_index(f"ix_cases_{col}", "cases", [col])

    op.create_table(
        "case_id_counters",
        sa.Column("year", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_case_id_counters"),
    )
    op.create_table(
        "case_subjects",
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "user_id", name="pk_case_subjects"),
        _case_fk("case_subjects"),
    )
    op.create_index("ix_case_subjects_user_id", "case_subjects", ["user_id"])
    op.create_table(
        "case_related",
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("related_id", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "related_id", name="pk_case_related"),
        _case_fk("case_related"),
    )
    op.create_table(
        "case_reporters",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        sa.Column("reporter_user_id", sa.BigInteger, nullable=True),
        sa.Column("reporter_ref", sa.String(200), nullable=True),
        _ts("added_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_case_reporters"),
        _case_fk("case_reporters"),
    )
    op.create_index("ix_case_reporters_case_id", "case_reporters", ["case_id"])
    op.create_table(
        "case_changes",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        _ts("at", False),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("field", sa.String(64), nullable=True),
        sa.Column("old", sa.JSON, nullable=True),
        sa.Column("new", sa.JSON, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_changes"),
        _case_fk("case_changes"),
    )
    op.create_index("ix_case_changes_case_id", "case_changes", ["case_id"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        _ts("at", False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_notes"),
        _case_fk("case_notes"),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(16), nullable=False),
        _ts("at", False),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("subjects", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_decisions"),
        _case_fk("case_decisions"),
    )
    op.create_index("ix_case_decisions_case_id", "case_decisions", ["case_id"])
    op.create_index("ix_case_decisions_action", "case_decisions", ["action"])
    op.create_table(
        "case_decision_clauses",
        sa.Column("decision_id", sa.Integer, nullable=False),
        sa.Column("clause", sa.String(48), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", "clause", name="pk_case_decision_clauses"),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["case_decisions.id"],
            name="fk_case_decision_clauses_decision_id_case_decisions",
        ),
    )
    op.create_index("ix_case_decision_clauses_clause", "case_decision_clauses", ["clause"])


def downgrade() -> None:
    for table in (
        "case_decision_clauses",
        "case_decisions",
        "case_notes",
        "case_changes",
        "case_reporters",
        "case_related",
        "case_subjects",
        "case_id_counters",
        "cases",
    ):
        op.drop_table(table)
