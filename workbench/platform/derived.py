"""What is derived at ingest from the platform's own data, so that investigations stay fast:

* ``photos.phash_int``: the perceptual hash's 64 bits as a signed integer, so a query's
  ``bit_count(xor(a, b))`` is the Hamming distance (no hex parsing per row);
* ``account_identifiers``: every identifier an account holds (devices, IPs of successful logins,
  payment instruments), each distinct identifier numbered, so "who else holds these?" is an
  integer lookup instead of a scan of every login; ``holders`` says how many accounts hold it,
  so a link can be weighted by its rarity (a device shared by two accounts is strong evidence,
  a carrier's address shared by 300 is none).

The demo generator calls :func:`derive` on its DuckDB file before publishing it. A production
platform computes the same in its pipeline: :data:`ACCOUNT_IDENTIFIERS_SELECT` runs on DuckDB and
PostgreSQL (there, a materialized view refreshed with the replica works), and ``phash_int`` is
``('x' || phash)::bit(64)::bigint`` in PostgreSQL (for 16-digit hashes; others NULL).
"""

from __future__ import annotations

from typing import Any

# One row per (account, identifier), with how many accounts hold the identifier (its rarity:
# see workbench.hunt.weights). Add a link kind here and linked_accounts follows it.
ACCOUNT_IDENTIFIERS_SELECT = """
SELECT user_id, DENSE_RANK() OVER (ORDER BY kind, value) AS identifier_id, kind, value,
       COUNT(*) OVER (PARTITION BY kind, value) AS holders
FROM (
    SELECT user_id, 'device' AS kind, device_id AS value FROM devices
    UNION
    SELECT user_id, 'ip' AS kind, ip AS value FROM logins WHERE success
    UNION
    SELECT user_id, 'payment_instrument' AS kind, instrument_fingerprint AS value FROM payments
) AS held
WHERE value IS NOT NULL
"""

# DuckDB: hex -> UBIGINT, then into BIGINT's range by two's complement. Only well-formed
# 16-digit hashes; anything else stays NULL (no photo link) rather than stopping the build.
_PHASH_INT_DUCKDB = """
UPDATE photos SET phash_int = CAST(
    CAST(TRY_CAST('0x' || phash AS UBIGINT) AS HUGEINT)
    - CASE WHEN TRY_CAST('0x' || phash AS UBIGINT) >= CAST(9223372036854775808 AS UBIGINT)
           THEN CAST(18446744073709551616 AS HUGEINT) ELSE 0 END
    AS BIGINT)
WHERE phash IS NOT NULL AND length(phash) = 16
"""


def derive(con: Any) -> None:
    """Fill ``photos.phash_int`` and ``account_identifiers`` in a DuckDB connection whose
    platform tables are loaded (``account_identifiers`` is replaced)."""
    con.execute(_PHASH_INT_DUCKDB)
    con.execute("DELETE FROM account_identifiers")
    con.execute(
        f"INSERT INTO account_identifiers (user_id, identifier_id, kind, value, holders) "
        f"{ACCOUNT_IDENTIFIERS_SELECT}"
    )
