"""The platform schema, defined once (SQLAlchemy Core) and loadable into DuckDB and PostgreSQL.

Column ``info`` marks what the rest of the workbench must treat with care:

* ``info={"pii": True}``: identifies a person (names, handles, contact details, IPs, devices,
  payment instruments). Redaction replaces these values wherever they appear.
* ``info={"special_category": True}``: sexual orientation, gender identity, health. Never leaves
  in a bundle for an outside audience.

All times are ``TIMESTAMP WITH TIME ZONE`` holding UTC. ``queries/SCHEMA.md`` documents it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

PII = {"pii": True}
SPECIAL = {"special_category": True}


def _ts(name: str, nullable: bool = False, **kw) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable, **kw)


users = Table(
    "users",
    metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("handle", String(64), nullable=False, info=PII, comment="public @handle"),
    Column("display_name", String(128), nullable=False, info=PII),
    Column("email", String(254), nullable=False, info=PII),
    Column("phone", String(32), info=PII, comment="E.164"),
    Column("country", String(2), nullable=False, comment="ISO 3166-1 alpha-2"),
    Column("language", String(8), nullable=False, comment="BCP-47 primary tag"),
    _ts("created_at"),
    Column("status", String(16), nullable=False, comment="active, suspended, banned, deleted"),
    Column("verified", Boolean, nullable=False, comment="identity-verified badge"),
    comment="Accounts.",
)

profiles = Table(
    "profiles",
    metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("bio", Text, info=PII),
    Column("birth_year", SmallInteger),
    Column("city", String(64)),
    Column("occupation", String(64)),
    Column("looking_for", String(32)),
    Column("gender_identity", String(32), info=SPECIAL),
    Column("sexual_orientation", String(32), info=SPECIAL),
    Column("health_notes", Text, info=SPECIAL, comment="self-declared health information"),
    _ts("updated_at"),
    comment="Dating profile fields, one row per user.",
)

photos = Table(
    "photos",
    metadata,
    Column("photo_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("path", String(256), comment="relative to the media folder; NULL when not rendered"),
    _ts("uploaded_at"),
    Column("width", Integer),
    Column("height", Integer),
    Column("phash", String(16), comment="64-bit perceptual hash (hex), computed at ingest"),
    Column(
        "phash_int",
        BigInteger,
        comment="the same 64 bits as a signed integer (two's "
        "complement), computed at ingest: bit_count(xor(a, b)) is the Hamming distance",
    ),
    Column("is_primary", Boolean, nullable=False),
    Column("status", String(16), nullable=False, comment="active, removed"),
    comment="Profile photos.",
)

messages = Table(
    "messages",
    metadata,
    Column("message_id", BigInteger, primary_key=True),
    Column("conversation_id", BigInteger, nullable=False),
    Column("sender_id", BigInteger, nullable=False),
    Column("recipient_id", BigInteger, nullable=False),
    _ts("sent_at"),
    Column("body", Text, info=PII),
    Column("has_media", Boolean, nullable=False),
    comment="Direct messages.",
)

attachments = Table(
    "attachments",
    metadata,
    Column("attachment_id", BigInteger, primary_key=True),
    Column("message_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False, comment="image, audio, video"),
    Column("path", String(256), nullable=False, comment="relative to the media folder"),
    Column("media_type", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    comment="Media sent in messages.",
)

reports = Table(
    "reports",
    metadata,
    Column("report_id", BigInteger, primary_key=True),
    Column("reporter_id", BigInteger, nullable=False, comment="confidential"),
    Column("reported_user_id", BigInteger, nullable=False),
    Column("message_id", BigInteger),
    Column("reason", String(32), nullable=False),
    Column("free_text", Text, info=PII),
    _ts("created_at"),
    comment="User reports. The reporter's identity is confidential.",
)

logins = Table(
    "logins",
    metadata,
    Column("login_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    _ts("ts"),
    Column("ip", String(45), nullable=False, info=PII),
    Column("device_id", String(32), nullable=False, info=PII),
    Column("country", String(2), nullable=False),
    Column("city", String(64)),
    Column("user_agent", String(256)),
    Column("success", Boolean, nullable=False),
    comment="Login attempts.",
)

account_changes = Table(
    "account_changes",
    metadata,
    Column("change_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    _ts("ts"),
    Column(
        "field",
        String(32),
        nullable=False,
        comment="email, phone, password, display_name, handle, bio, photo",
    ),
    Column("old_value", Text, info=PII, comment="NULL for passwords"),
    Column("new_value", Text, info=PII, comment="NULL for passwords"),
    Column("ip", String(45), info=PII),
    Column("device_id", String(32), info=PII),
    comment="Changes to account and profile fields.",
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(32), primary_key=True, info=PII),
    Column("user_id", BigInteger, primary_key=True),
    Column("os", String(16), nullable=False),
    Column("model", String(64)),
    _ts("first_seen"),
    _ts("last_seen"),
    comment="Devices seen per user; one device may serve several users.",
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    _ts("ts"),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("instrument_fingerprint", String(32), nullable=False, info=PII),
    Column(
        "instrument_type", String(16), nullable=False, comment="card, paypal, apple_pay, google_pay"
    ),
    Column("product", String(32), nullable=False),
    Column("status", String(16), nullable=False, comment="succeeded, failed, refunded, chargeback"),
    comment="Purchases.",
)

moderation_actions = Table(
    "moderation_actions",
    metadata,
    Column("action_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    _ts("ts"),
    Column("action", String(32), nullable=False),
    Column("clause", String(48), comment="policy clause id"),
    Column("reason", Text),
    Column("actor", String(64), nullable=False, comment="moderator id or 'automated'"),
    Column("message_id", BigInteger),
    _ts("expires_at", nullable=True),
    comment="Enforcement taken on the platform.",
)

appeals = Table(
    "appeals",
    metadata,
    Column("appeal_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("action_id", BigInteger, nullable=False),
    _ts("created_at"),
    Column("text", Text, info=PII),
    Column("status", String(16), nullable=False, comment="pending, upheld, overturned"),
    _ts("decided_at", nullable=True),
    comment="Appeals against moderation actions.",
)

account_identifiers = Table(
    "account_identifiers",
    metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column(
        "identifier_id",
        BigInteger,
        primary_key=True,
        comment="numbers each distinct (kind, value): accounts sharing one share this number",
    ),
    Column("kind", String(32), nullable=False, comment="device, ip, payment_instrument"),
    Column("value", String(64), nullable=False, info=PII),
    Column(
        "holders",
        Integer,
        nullable=False,
        comment="how many accounts hold this identifier (1: nobody else); weights a link by rarity",
    ),
    comment="Derived at ingest (workbench.platform.derived): every identifier an account holds "
    "(its devices, the IPs of its successful logins, its payment instruments), one row "
    "per account and identifier, for finding accounts that share one.",
)

TABLES = [
    users,
    profiles,
    photos,
    messages,
    attachments,
    reports,
    logins,
    account_changes,
    devices,
    payments,
    moderation_actions,
    appeals,
    account_identifiers,
]

# Columns that can be joined on across tables; indexes help PostgreSQL (DuckDB scans fast).
INDEXES = {
    "messages": [("sender_id", "sent_at"), ("recipient_id", "sent_at"), ("conversation_id",)],
    "reports": [("reported_user_id",), ("reporter_id",)],
    "logins": [("user_id", "ts"), ("ip",), ("device_id",)],
    "account_changes": [("user_id", "ts")],
    "devices": [("user_id",)],
    "payments": [("user_id", "ts"), ("instrument_fingerprint",)],
    "moderation_actions": [("user_id",)],
    "appeals": [("user_id",)],
    "photos": [("user_id",), ("phash",)],
    "attachments": [("message_id",)],
    "account_identifiers": [("identifier_id",)],
}


def pii_columns(table: str) -> list[str]:
    return [c.name for c in metadata.tables[table].columns if c.info.get("pii")]


def special_category_columns(table: str | None = None) -> list[str]:
    tables = [metadata.tables[table]] if table else TABLES
    return [c.name for t in tables for c in t.columns if c.info.get("special_category")]
