"""The case store: what the team writes (cases, change log, notes, evidence, decisions, replies,
audit log). SQLite in WAL mode by default, PostgreSQL for teams; the tables are defined once in
:mod:`workbench.store.models` and built by the linear Alembic history in ``store/migrations``.
"""

from workbench.store.engine import cases_engine, dispose_all, session
from workbench.store.models import Base, UTCDateTime

__all__ = ["Base", "UTCDateTime", "cases_engine", "dispose_all", "session"]
