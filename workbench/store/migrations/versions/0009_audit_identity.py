"""The audit log records who really acted, with times and numbers from the store.

* New columns: ``identity`` (the account the store saw: the PostgreSQL ``session_user`` or the
  OS account of the process), ``subjects`` (the platform users a read was about) and
  ``hash_format`` (1 for the rows written before this revision, 2 after; see
  :func:`workbench.store.audit.record_hash`).
* Every new row must continue the chain: the next ``seq``, the last ``hash`` as ``prev_hash``
  and a time no earlier than the last one's. SQLite checks that in a trigger (and refuses a time
  more than a minute old). PostgreSQL goes further: a trigger fills ``seq``, ``prev_hash``,
  ``at`` (the server's clock), ``identity`` (``session_user``) and ``hash`` itself, whatever the
  INSERT said, and analysts write only through the SECURITY DEFINER function
  ``workbench_audit_append``.
* PostgreSQL group roles ``workbench_analyst``, ``workbench_lead`` (an analyst too) and
  ``workbench_admin`` (a lead too) are made when missing (this needs CREATEROLE; without it the
  roles are left to an operator, see README). Analysts may call the function and SELECT the
  log, nothing else on it; the other tables as the workbench uses them.

Revision ID: 0009_audit_identity
Revises: 0008_case_id_width
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_audit_identity"
down_revision = "0008_case_id_width"
branch_labels = None
depends_on = None

GROUP_ROLES = ("workbench_analyst", "workbench_lead", "workbench_admin")

# The format-2 hash, computed by the database (PostgreSQL) exactly as audit.record_hash does:
# every field as "name=" then "~" for NULL or "<UTF-8 byte length>:<text>", one per line.
_PG_CHAIN = r"""
CREATE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp AS $fn$
DECLARE
    last_seq bigint; last_hash text; last_at timestamptz; payload text;
BEGIN
    PERFORM pg_advisory_xact_lock(7310043);
    SELECT a.seq, a.hash, a.at INTO last_seq, last_hash, last_at
      FROM {schema}.audit_log a ORDER BY a.seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.at := greatest(clock_timestamp(), coalesce(last_at, '-infinity'::timestamptz));
    NEW.identity := 'pg:' || session_user;
    NEW.hash_format := 2;
    payload := concat(
        {schema}.audit_field('seq', NEW.seq::text),
        {schema}.audit_field('at', to_char(NEW.at AT TIME ZONE 'UTC',
                                           'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
        {schema}.audit_field('identity', NEW.identity),
        {schema}.audit_field('analyst', NEW.analyst),
        {schema}.audit_field('action', NEW.action),
        {schema}.audit_field('case_id', NEW.case_id),
        {schema}.audit_field('query_name', NEW.query_name),
        {schema}.audit_field('sql_text', NEW.sql_text),
        {schema}.audit_field('params', NEW.params),
        {schema}.audit_field('engine', NEW.engine),
        {schema}.audit_field('row_count', NEW.row_count::text),
        {schema}.audit_field('result_sha256', NEW.result_sha256),
        {schema}.audit_field('duration_us', round(NEW.duration_ms * 1000)::bigint::text),
        {schema}.audit_field('outcome', NEW.outcome),
        {schema}.audit_field('reason', NEW.reason),
        {schema}.audit_field('target', NEW.target),
        {schema}.audit_field('details', NEW.details),
        {schema}.audit_field('subjects', NEW.subjects),
        {schema}.audit_field('prev_hash', NEW.prev_hash));
    NEW.hash := encode(sha256(convert_to(payload, 'UTF8')), 'hex');
    RETURN NEW;
END $fn$
"""

_PG_FIELD = r"""
CREATE FUNCTION audit_field(name text, value text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $fn$
    SELECT name || '=' || CASE WHEN value IS NULL THEN '~'
        ELSE octet_length(convert_to(value, 'UTF8'))::text || ':' || value END || chr(10)
$fn$
"""

_PG_APPEND = r"""
CREATE FUNCTION workbench_audit_append(
    p_analyst text, p_action text, p_case_id text, p_query_name text, p_sql_text text,
    p_params text, p_engine text, p_row_count bigint, p_result_sha256 text,
    p_duration_ms double precision, p_outcome text, p_reason text, p_target text,
    p_details text, p_subjects text)
RETURNS SETOF {schema}.audit_log
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp AS $fn$
    INSERT INTO {schema}.audit_log (seq, at, analyst, action, case_id, query_name, sql_text,
        params, engine, row_count, result_sha256, duration_ms, outcome, reason, target,
        details, subjects, prev_hash, hash)
    VALUES (0, clock_timestamp(), p_analyst, p_action, p_case_id, p_query_name, p_sql_text,
        p_params, p_engine, p_row_count, p_result_sha256, p_duration_ms, p_outcome, p_reason,
        p_target, p_details, p_subjects, '', '')
    RETURNING *
$fn$
"""

_SQLITE_CHAIN = """
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
WHEN NEW.seq <> coalesce((SELECT max(seq) FROM audit_log), 0) + 1
  OR NEW.prev_hash <> coalesce((SELECT hash FROM audit_log WHERE seq = NEW.seq - 1),
                               '0000000000000000000000000000000000000000000000000000000000000000')
  OR NEW.at < coalesce((SELECT at FROM audit_log WHERE seq = NEW.seq - 1), '')
  OR NEW.at < strftime('%Y-%m-%d %H:%M:%f', 'now', '-60 seconds')
BEGIN SELECT RAISE(ABORT, 'the audit log only grows forward: next seq, last hash, no earlier time'); END
"""


def _pg_roles(schema: str) -> None:
    for role in GROUP_ROLES:
        op.execute(
            f"""DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE {role} NOLOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                      WHEN insufficient_privilege THEN
                RAISE NOTICE 'cannot create role {role}: an operator must (see README)';
            END $$"""
        )
    op.execute(
        """DO $$ BEGIN
            IF (SELECT count(*) FROM pg_roles WHERE rolname IN
                ('workbench_analyst', 'workbench_lead', 'workbench_admin')) = 3 THEN
                GRANT workbench_analyst TO workbench_lead;
                GRANT workbench_lead TO workbench_admin;
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN NULL;
        END $$"""
    )


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("audit_log", sa.Column("identity", sa.String(128), nullable=True))
    op.add_column("audit_log", sa.Column("subjects", sa.Text, nullable=True))
    op.add_column(
        "audit_log",
        sa.Column("hash_format", sa.SmallInteger, nullable=False, server_default="1"),
    )
    if bind.dialect.name == "sqlite":
        op.execute(_SQLITE_CHAIN)
        return
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    op.execute(_PG_FIELD)
    op.execute(_PG_CHAIN.format(schema=schema))
    op.execute(
        "CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_chain()"
    )
    op.execute(_PG_APPEND.format(schema=schema))
    op.execute("REVOKE ALL ON audit_log FROM PUBLIC")
    op.execute("REVOKE ALL ON FUNCTION workbench_audit_append FROM PUBLIC")
    op.execute("REVOKE ALL ON FUNCTION audit_log_chain() FROM PUBLIC")
    _pg_roles(schema)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_chain")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS workbench_audit_append")
        op.execute("DROP TRIGGER IF EXISTS audit_log_chain ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_chain()")
        op.execute("DROP FUNCTION IF EXISTS audit_field(text, text)")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash_format")
        batch.drop_column("subjects")
        batch.drop_column("identity")
