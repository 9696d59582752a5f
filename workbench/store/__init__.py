"""The case store: what the team writes (cases, change log, notes, evidence, decisions, replies,
audit log). SQLite in WAL mode by default, PostgreSQL for teams; schema managed by Alembic.

Feature modules declare their tables on :class:`Base` and ship an Alembic migration under
``store/migrations/versions`` that branches from ``0001_base`` (upgrades go to ``heads``).
"""
from .base import Base, UTCDateTime
from .engine import cases_engine, dispose_all, session

__all__ = ["Base", "UTCDateTime", "cases_engine", "dispose_all", "session"]
