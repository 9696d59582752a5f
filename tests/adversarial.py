"""The adversarial corpus: statements that tried (or would try) to read or write around the guard,
by family. Every one must be refused by the guard, and, with the guard switched off, by the
engine (``tests/test_guard_engines.py``). ``{db}`` is the platform file, ``{home}`` the
workbench home, ``{mark}`` a file that must never be written."""

from __future__ import annotations

FAMILIES: dict[str, list[str]] = {
    # block comments nest in DuckDB and PostgreSQL; a regex that does not know it sees a harmless
    # EXPLAIN where the database runs the whole text
    "nested comments": [
        "/* /* */ EXPLAIN SELECT '*/ SELECT filename, content FROM read_text($$/etc/passwd$$) --'",
        "/* /* /* */ */ EXPLAIN SELECT '*/ SELECT * FROM glob($${home}/*$$) --'",
        "/* /* */ SELECT '*/ SELECT content FROM read_text($${home}/secrets/pseudonyms.key$$) --'",
        "/* /* */ EXPLAIN SELECT '*/ SELECT size FROM read_blob($${home}/workbench.db$$) --'",
        "/* /* */ EXPLAIN SELECT '*/ SELECT name, value FROM duckdb_settings() --'",
        "EXPLAIN /* /* */ SELECT 1 */ SELECT * FROM read_text('/etc/hostname')",
        "/* a /* b */ c */ DELETE FROM users",
        "SELECT 1 /* /* */ ; DROP TABLE users; /* */",
    ],
    "unterminated comments": [
        "/* /* */ SELECT 1",
        "SELECT 1 /* never closed",
        "SELECT 1 /* a /* b */",
        "/* EXPLAIN */ SELECT * FROM users /* ; DELETE FROM users",
    ],
    # \r ends a -- comment; \f and \v do not (engines differ): refused outright
    "line ends": [
        "SELECT 1 -- harmless\rSELECT * FROM read_text('/etc/passwd')",
        "SELECT 1 -- harmless\r; DROP TABLE users",
        "EXPLAIN -- x\rSELECT 1; COMMIT; BEGIN READ WRITE; CREATE TABLE x (a int)",
        "SELECT 1 -- c\f; DROP TABLE users",
        "SELECT 1 -- c\v; DROP TABLE users",
        "SELECT 1\f; DELETE FROM users",
        "SELECT 1\x0b, * FROM read_text('x')",
    ],
    # dollar quotes: tags are case-sensitive and may not nest
    "dollar quotes": [
        "SELECT $a$ ' $a$; SELECT * FROM read_text('/etc/passwd') --'",
        "SELECT $a$ $b$ $a$; DROP TABLE users; -- $b$",
        "SELECT $$ ; $$ ; SELECT * FROM glob('/*')",
        "SELECT $tag$ x $TAG$ ; DROP TABLE users ; $TAG$ y $tag$; DELETE FROM users",
        "SELECT 1 AS a$b$, content FROM read_text('/etc/passwd') $b$",
        "SELECT $$/*$$, * FROM read_text($$/etc/passwd$$) --*/",
    ],
    # EXPLAIN ANALYZE runs the statement it explains; options are refused with it
    "EXPLAIN options": [
        "EXPLAIN ANALYZE SELECT 1",
        "explain analyse select 1",
        "EXPLAIN ANALYZE CREATE TEMP TABLE users AS SELECT 1 AS user_id",
        "EXPLAIN ANALYZE COPY (SELECT 1) TO '{mark}'",
        "EXPLAIN ANALYZE SET search_path = 'temp'",
        "EXPLAIN ANALYZE SELECT * FROM enable_logging(storage = 'stdout')",
        "EXPLAIN (ANALYZE) SELECT 1",
        "EXPLAIN (ANALYZE true, FORMAT json) (SELECT 1)",
        "EXPLAIN (FORMAT JSON) SELECT 1",
        "EXPLAIN VERBOSE SELECT 1",
        "/* x */ EXPLAIN\tANALYZE DELETE FROM users",
        "EXPLAIN SELECT 1; COMMIT; BEGIN READ WRITE; CREATE TABLE x (a int); UPDATE users SET status = 'banned'",
        "EXPLAIN DELETE FROM users",
        "EXPLAIN",
    ],
    # look-alikes and invisible characters outside quotes
    "unicode": [
        "ＳＥＬＥＣＴ * FROM users",
        "SELECT * FROM users\u037e DROP TABLE users",  # Greek question mark, looks like ;
        "SELECT\u200b* FROM read_text('/etc/passwd')",
        "SEL\u200dECT 1",
        "\ufeffSELECT 1; DROP TABLE users",
        "SELECT * FROM users\u2028; DROP TABLE users",
        "SELECT\u00a0* FROM users; DELETE FROM users",
        'SELECT * FROM "u\u0455ers"',  # Cyrillic dze
        "SELECT handle FROM users WHERE handle = 'x'\u2019; DROP TABLE users; --'",
        "SELECT \u202e* FROM users",
        "SELECT 1 --x\u0085\nDROP TABLE users",
    ],
    # what the walls behind the guard stop on their own
    "files and settings": [
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT size FROM read_blob('{db}')",
        "SELECT * FROM read_duckdb('{db}', table_name = 'users')",
        "SELECT * FROM glob('{home}/*')",
        "SELECT * FROM '{home}/ground_truth.json'",
        "SELECT name, value FROM duckdb_settings()",
        "SELECT path FROM duckdb_databases()",
        "COPY (SELECT 'garbage') TO '{db}.wal' (FORMAT csv)",
        "COPY (SELECT 1) TO '{mark}'",
        "SELECT * FROM enable_logging(storage = 'file', storage_path = '{home}/logs')",
        "CALL enable_logging(storage = 'stdout')",
        "PRAGMA enable_profiling",
        "SET GLOBAL disabled_filesystems = ''",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET memory_limit = '100GB'",
        "LOAD httpfs",
        "INSTALL httpfs",
        "ATTACH ':memory:' AS m",
        "SELECT * FROM query('SELECT 42')",
        "SELECT current_setting('data_directory')",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT lo_from_bytea(0, 'x')",
        "SELECT lo_create(0)",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
    ],
    # session state that would outlive one read on a pooled connection
    "session state": [
        "CREATE TEMP TABLE users AS SELECT 1 AS user_id",
        "CREATE TEMP MACRO lower(x) AS 'pwned'",
        "CREATE TEMP VIEW users AS SELECT 42 AS user_id",
        "SET VARIABLE x = 1",
        "PREPARE p AS SELECT 1",
        "SET search_path = 'temp'",
        "SET default_transaction_read_only = off",
        "SELECT 1; COMMIT; BEGIN READ WRITE; CREATE TABLE x (a int); UPDATE users SET status = 'banned'",
        "BEGIN READ WRITE",
    ],
    # writes
    "writes": [
        "DELETE FROM users",
        "UPDATE users SET status = 'banned'",
        "INSERT INTO users SELECT * FROM users LIMIT 1",
        "CREATE TABLE x (a INT)",
        "DROP TABLE users",
        "WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d",
        "SELECT * FROM users FOR UPDATE",
        "SELECT * INTO users_copy FROM users",
    ],
}

CORPUS = [(family, text) for family, items in FAMILIES.items() for text in items]


def filled(text: str, **where: str) -> str:
    """A corpus item with ``{db}``, ``{home}`` and ``{mark}`` filled in."""
    for key, value in where.items():
        text = text.replace("{" + key + "}", value)
    return text
