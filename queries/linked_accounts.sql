-- name: linked_accounts
-- title: Accounts linked to a user
-- description: >
--   Accounts reachable from the user through shared identifiers (a device, a login IP, a
--   payment instrument, a near-duplicate profile photo), up to max_hops links away, nearest
--   first, each with its link weight and reasons. Links are weighted by rarity: an identifier
--   held by h accounts weighs 1/(h-1) (a device two accounts share: 1.0; an address 300 share,
--   a carrier's NAT or a VPN exit: 0.003), and one weighing less than min_weight is too common
--   to count: it is neither followed nor reported. A near-duplicate photo weighs the same way,
--   h being the accounts holding a copy of the picture. For each account: the smallest hop
--   count, weight (per kind of identifier the weights of what it shares with the others found,
--   summed and capped at 1, then added up over kinds: 0 to 4), reasons (the kinds), link_weights
--   (the weight per kind), how many identifiers and the shared values. Identifiers come from
--   account_identifiers (derived at ingest with their holder counts). Photo links lead from
--   the subject to hop 1 and count as reasons between every account found. Written for DuckDB
--   (bit_count(xor())); transpiled for PostgreSQL.
-- params:
--   user_id: {type: int, required: true, description: the account to start from}
--   max_hops: {type: int, default: 2, description: how many links to follow (1-3)}
--   min_weight: {type: float, default: 0.05, description: "identifiers weighing less are too common to count (0.05: held by more than 21 accounts)"}
--   max_photo_distance: {type: int, default: 10, description: "photos this many bits apart or closer are near-duplicates (0-16)"}
--   limit: {type: int, default: 500, description: at most this many linked accounts}
-- tags: [user, links, rings]
-- pii_columns: [shared_values]
-- dialect: duckdb
WITH
hop0 AS (
    SELECT CAST(:user_id AS BIGINT) AS user_id
),
-- Identifiers rare enough to count: (holders - 1) * min_weight <= 1 is 1/(holders - 1) >= min_weight.
-- Nearly every identifier is held by one account, so this is a small table.
rare AS (
    SELECT user_id, identifier_id, kind, value, holders FROM account_identifiers
    WHERE holders > 1 AND (holders - 1) * :min_weight <= 1
),
-- Photo links (see queries/photo_reuse.sql): two accounts whose profile photos are
-- near-duplicates (perceptual hashes within max_photo_distance bits) are photo-linked. The
-- distance is bit_count(xor()) of photos.phash_int: exact, one vectorised pass over the platform's
-- photos per photo of the subject. Between the accounts found, only their own photos are compared.
seed_photo_links AS (
    SELECT x.photo_id AS a_id, x.user_id AS a_user, y.photo_id AS b_id, y.user_id AS b_user
    FROM photos x
    CROSS JOIN photos y
    WHERE x.user_id = :user_id AND y.user_id <> :user_id
      AND bit_count(xor(x.phash_int, y.phash_int)) <= LEAST(:max_photo_distance, 16)
),
seed_photo_holders AS (  -- accounts holding a copy of each of the subject's pictures
    SELECT a_id, count(DISTINCT b_user) AS others FROM seed_photo_links GROUP BY a_id
),
hop1 AS (
    SELECT i.user_id FROM rare i
    WHERE i.identifier_id IN (SELECT identifier_id FROM rare WHERE user_id = :user_id)
      AND i.user_id <> :user_id
    UNION
    SELECT l.b_user FROM seed_photo_links l JOIN seed_photo_holders h ON h.a_id = l.a_id
    WHERE h.others * :min_weight <= 1
),
hop2 AS (
    SELECT DISTINCT i.user_id FROM rare i
    WHERE i.identifier_id IN (SELECT identifier_id FROM rare
                              WHERE user_id IN (SELECT user_id FROM hop1))
      AND :max_hops >= 2
      AND i.user_id <> :user_id
      AND i.user_id NOT IN (SELECT user_id FROM hop1)
),
hop3 AS (
    SELECT DISTINCT i.user_id FROM rare i
    WHERE i.identifier_id IN (SELECT identifier_id FROM rare
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
    WHERE bit_count(xor(x.phash_int, y.phash_int)) <= LEAST(:max_photo_distance, 16)
),
photo_degree AS (  -- per photo: how many other accounts found hold a copy of it
    SELECT photo_id, count(DISTINCT other) AS others FROM (
        SELECT a_id AS photo_id, b_user AS other FROM member_photo_links
        UNION ALL SELECT b_id, a_user FROM member_photo_links
    ) AS d GROUP BY photo_id
),
photo_pairs AS (  -- a pair of copies weighs 1/(accounts holding the picture - 1)
    SELECT l.a_id, l.a_user, l.b_id, l.b_user,
           1.0 / greatest(da.others, db.others) AS w
    FROM member_photo_links l
    JOIN photo_degree da ON da.photo_id = l.a_id
    JOIN photo_degree db ON db.photo_id = l.b_id
),
member_ids AS (  -- identifiers of the accounts found; a photo pair counts for both accounts
    SELECT i.user_id, i.kind, i.value, 1.0 / (i.holders - 1) AS w FROM rare i
    WHERE i.user_id IN (SELECT user_id FROM reached)
    UNION
    SELECT a_user, 'photo', CAST(a_id AS VARCHAR) || '~' || CAST(b_id AS VARCHAR), w
    FROM photo_pairs WHERE w >= :min_weight
    UNION
    SELECT b_user, 'photo', CAST(a_id AS VARCHAR) || '~' || CAST(b_id AS VARCHAR), w
    FROM photo_pairs WHERE w >= :min_weight
),
shared AS (  -- identifiers each account shares with another account found
    SELECT DISTINCT x.user_id, x.kind, x.value, x.w
    FROM member_ids x
    JOIN member_ids y ON y.kind = x.kind AND y.value = x.value AND y.user_id <> x.user_id
),
per_kind AS (
    SELECT user_id, kind, least(1.0, sum(w)) AS kind_weight FROM shared GROUP BY user_id, kind
),
weights AS (
    SELECT user_id, sum(kind_weight) AS weight,
           string_agg(kind || ' ' || CASE WHEN kind_weight >= 0.995 THEN '1.00' ELSE '0.'
                      || lpad(CAST(CAST(round(kind_weight * 100) AS INTEGER) AS VARCHAR), 2, '0')
                      END, ', ' ORDER BY kind) AS link_weights
    FROM per_kind GROUP BY user_id
)
SELECT
    r.user_id AS linked_user_id,
    r.hops,
    round(CAST(min(wt.weight) AS DECIMAL(12, 6)), 3) AS weight,
    string_agg(DISTINCT s.kind, ', ' ORDER BY s.kind) AS reasons,
    min(wt.link_weights) AS link_weights,
    count(*) AS shared_identifiers,
    string_agg(s.kind || ':' || s.value, ', ' ORDER BY s.kind || ':' || s.value) AS shared_values
FROM reached r
JOIN shared s ON s.user_id = r.user_id
JOIN weights wt ON wt.user_id = r.user_id
WHERE r.hops > 0
GROUP BY r.user_id, r.hops
ORDER BY r.hops, r.user_id
LIMIT :limit
