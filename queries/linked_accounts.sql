-- name: linked_accounts
-- title: Accounts linked to a user
-- description: >
--   Accounts reachable from the user through shared identifiers (a device, a login IP, a
--   payment instrument, a near-duplicate profile photo), up to max_hops links away, nearest
--   first. For each: the smallest hop count, the reasons (kinds of identifier shared with the
--   others found), how many identifiers and the shared values. Identifiers come from
--   account_identifiers (derived at ingest, each distinct identifier numbered; a new link kind
--   is added there). Hops are unrolled (no recursion): each hop looks up the identifier numbers
--   of the accounts found so far, then the accounts holding them: integer lookups, not joins
--   of whole tables. Photo links (near-duplicate profile photos) lead from the subject to
--   hop 1 and count as reasons between every account found. Written for DuckDB
--   (bit_count(xor())); transpiled for PostgreSQL.
-- params:
--   user_id: {type: int, required: true, description: the account to start from}
--   max_hops: {type: int, default: 2, description: how many links to follow (1-3)}
--   limit: {type: int, default: 500, description: at most this many linked accounts}
-- tags: [user, links, rings]
-- pii_columns: [shared_values]
-- dialect: duckdb
WITH
hop0 AS (
    SELECT CAST(:user_id AS BIGINT) AS user_id
),
-- Photo links (see queries/photo_reuse.sql): two accounts whose profile photos are
-- near-duplicates (perceptual hashes within 12 bits) are photo-linked. The distance is
-- bit_count(xor()) of photos.phash_int: exact, one vectorised pass over the platform's photos
-- per photo of the subject. Between the accounts found, only their own photos are compared.
seed_photo_links AS (
    SELECT x.photo_id AS a_id, x.user_id AS a_user, y.photo_id AS b_id, y.user_id AS b_user
    FROM photos x
    CROSS JOIN photos y
    WHERE x.user_id = :user_id AND y.user_id <> :user_id
      AND bit_count(xor(x.phash_int, y.phash_int)) <= 12
),
hop1 AS (
    SELECT i.user_id FROM account_identifiers i
    WHERE i.identifier_id IN (SELECT identifier_id FROM account_identifiers WHERE user_id = :user_id)
      AND i.user_id <> :user_id
    UNION
    SELECT b_user FROM seed_photo_links
),
hop2 AS (
    SELECT DISTINCT i.user_id FROM account_identifiers i
    WHERE i.identifier_id IN (SELECT identifier_id FROM account_identifiers
                              WHERE user_id IN (SELECT user_id FROM hop1))
      AND :max_hops >= 2
      AND i.user_id <> :user_id
      AND i.user_id NOT IN (SELECT user_id FROM hop1)
),
hop3 AS (
    SELECT DISTINCT i.user_id FROM account_identifiers i
    WHERE i.identifier_id IN (SELECT identifier_id FROM account_identifiers
                              WHERE user_id IN (SELECT user_id FROM hop2))
      AND :max_hops >= 3
      AND i.user_id <> :user_id
      AND i.user_id NOT IN (SELECT user_id FROM hop1)
      AND i.user_id NOT IN (SELECT user_id FROM hop2)
),
reached AS (
    SELECT user_id, 0 AS hops FROM hop0
    UNION ALL SELECT user_id, 1 FROM hop1
    UNION ALL SELECT user_id, 2 FROM hop2
    UNION ALL SELECT user_id, 3 FROM hop3
),
member_photos AS (
    SELECT p.photo_id, p.user_id, p.phash_int FROM photos p
    WHERE p.user_id IN (SELECT user_id FROM reached) AND p.phash_int IS NOT NULL
),
member_photo_links AS (  -- photos of the accounts found, compared with each other
    SELECT x.photo_id AS a_id, x.user_id AS a_user, y.photo_id AS b_id, y.user_id AS b_user
    FROM member_photos x
    JOIN member_photos y ON y.photo_id > x.photo_id AND y.user_id <> x.user_id
    WHERE bit_count(xor(x.phash_int, y.phash_int)) <= 12
),
member_ids AS (  -- identifiers of the accounts found; a photo pair counts for both accounts
    SELECT i.user_id, i.kind, i.value FROM account_identifiers i
    WHERE i.user_id IN (SELECT user_id FROM reached)
    UNION
    SELECT a_user, 'photo', CAST(a_id AS VARCHAR) || '~' || CAST(b_id AS VARCHAR) FROM member_photo_links
    UNION
    SELECT b_user, 'photo', CAST(a_id AS VARCHAR) || '~' || CAST(b_id AS VARCHAR) FROM member_photo_links
),
shared AS (  -- identifiers each account shares with another account found
    SELECT DISTINCT x.user_id, x.kind, x.value
    FROM member_ids x
    JOIN member_ids y ON y.kind = x.kind AND y.value = x.value AND y.user_id <> x.user_id
)
SELECT
    r.user_id AS linked_user_id,
    r.hops,
    string_agg(DISTINCT s.kind, ', ' ORDER BY s.kind) AS reasons,
    count(*) AS shared_identifiers,
    string_agg(s.kind || ':' || s.value, ', ' ORDER BY s.kind || ':' || s.value) AS shared_values
FROM reached r
JOIN shared s ON s.user_id = r.user_id
WHERE r.hops > 0
GROUP BY r.user_id, r.hops
ORDER BY r.hops, r.user_id
LIMIT :limit
