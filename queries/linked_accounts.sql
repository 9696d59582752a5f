-- name: linked_accounts
-- title: Accounts linked to a user
-- description: >
--   Accounts reachable from the user through shared identifiers (a device, a login IP, a
--   payment instrument, a near-duplicate profile photo), up to max_hops links away, nearest
--   first. For each: the smallest hop count, the reasons (kinds of identifier shared with the
--   others found), how many identifiers and the shared values. To add a link kind add one
--   branch to `identifiers`. Hops are unrolled (no recursion): each hop looks up identifiers
--   of the accounts found so far, then the accounts holding them, so the engine filters by
--   user and by value instead of joining whole tables. Photo links (near-duplicate profile
--   photos) lead from the subject to hop 1 and count as reasons between every account found.
-- params:
--   user_id: {type: int, required: true, description: the account to start from}
--   max_hops: {type: int, default: 2, description: how many links to follow (1-3)}
--   limit: {type: int, default: 500, description: at most this many linked accounts}
-- tags: [user, links, rings]
-- pii_columns: [shared_values]
WITH
-- >>> photo links (content engineer, see queries/photo_reuse.sql): two accounts whose profile
-- photos are near-duplicates (perceptual hashes within 12 bits) are photo-linked. Candidate
-- pairs share one of the hash's 8 bytes exactly (pigeonhole: every pair within 7 bits does, and
-- most re-encodes and crops further out), then the Hamming distance is summed over the 16 hex
-- digits from a 16 x 16 table of differing bits: portable SQL, no XOR or bit_count needed.
-- Only photos of the accounts being walked are compared, never all pairs of the platform.
photo_bands AS NOT MATERIALIZED (  -- lower() once per photo, not once per band
    SELECT ph.photo_id, ph.user_id, ph.phash, b.k, substr(ph.phash, 2 * b.k + 1, 2) AS band
    FROM (SELECT photo_id, user_id, lower(phash) AS phash FROM photos
          WHERE phash IS NOT NULL AND length(phash) = 16) AS ph
    CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7)) AS b (k)
),
nibble_xor AS (  -- differing bits of every pair of hex digits (16 x 16 rows)
    SELECT x.n AS x, y.n AS y,
           sum(CASE WHEN CAST(floor(x.n / bw.w) AS INTEGER) % 2 <> CAST(floor(y.n / bw.w) AS INTEGER) % 2
                    THEN 1 ELSE 0 END) AS bits
    FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15)) AS x (n)
    CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15)) AS y (n)
    CROSS JOIN (VALUES (1), (2), (4), (8)) AS bw (w)
    GROUP BY x.n, y.n
),
nibbles (i) AS (
    VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16)
),
-- <<< photo links
identifiers AS NOT MATERIALIZED (  -- one row per (account, identifier it holds); add kinds here
    SELECT d.user_id, 'device' AS kind, d.device_id AS value FROM devices d
    UNION ALL
    SELECT l.user_id, 'ip' AS kind, l.ip AS value FROM logins l WHERE l.success
    UNION ALL
    SELECT p.user_id, 'payment_instrument' AS kind, p.instrument_fingerprint AS value
    FROM payments p
),
hop0 AS (
    SELECT CAST(:user_id AS BIGINT) AS user_id
),
seed_pairs AS (  -- the subject's photos against every photo sharing a byte of the hash
    SELECT DISTINCT x.photo_id AS a_id, x.user_id AS a_user, x.phash AS a_hash,
                    y.photo_id AS b_id, y.user_id AS b_user, y.phash AS b_hash
    FROM photo_bands x
    JOIN photo_bands y ON y.k = x.k AND y.band = x.band AND y.user_id <> x.user_id
    WHERE x.user_id IN (SELECT user_id FROM hop0)
),
seed_digits AS (  -- the hex digits side by side, as plain columns to join on
    SELECT pp.a_id, pp.a_user, pp.b_id, pp.b_user,
           position(substr(pp.a_hash, np.i, 1) IN '0123456789abcdef') - 1 AS a_digit,
           position(substr(pp.b_hash, np.i, 1) IN '0123456789abcdef') - 1 AS b_digit
    FROM seed_pairs pp
    CROSS JOIN nibbles np
),
seed_photo_links AS (
    SELECT d.a_id, d.a_user, d.b_id, d.b_user
    FROM seed_digits d
    JOIN nibble_xor nx ON nx.x = d.a_digit AND nx.y = d.b_digit
    GROUP BY d.a_id, d.a_user, d.b_id, d.b_user
    HAVING sum(nx.bits) <= 12
),
ids0 AS (
    SELECT DISTINCT i.kind, i.value FROM identifiers i WHERE i.user_id IN (SELECT user_id FROM hop0)
),
hop1 AS (
    SELECT i.user_id FROM identifiers i JOIN ids0 s ON s.kind = i.kind AND s.value = i.value
    WHERE i.user_id NOT IN (SELECT user_id FROM hop0)
    UNION
    SELECT b_user FROM seed_photo_links
),
ids1 AS (
    SELECT DISTINCT i.kind, i.value FROM identifiers i
    WHERE i.user_id IN (SELECT user_id FROM hop1) AND :max_hops >= 2
),
hop2 AS (
    SELECT DISTINCT i.user_id FROM identifiers i JOIN ids1 s ON s.kind = i.kind AND s.value = i.value
    WHERE i.user_id NOT IN (SELECT user_id FROM hop0)
      AND i.user_id NOT IN (SELECT user_id FROM hop1)
),
ids2 AS (
    SELECT DISTINCT i.kind, i.value FROM identifiers i
    WHERE i.user_id IN (SELECT user_id FROM hop2) AND :max_hops >= 3
),
hop3 AS (
    SELECT DISTINCT i.user_id FROM identifiers i JOIN ids2 s ON s.kind = i.kind AND s.value = i.value
    WHERE i.user_id NOT IN (SELECT user_id FROM hop0)
      AND i.user_id NOT IN (SELECT user_id FROM hop1)
      AND i.user_id NOT IN (SELECT user_id FROM hop2)
),
reached AS (
    SELECT user_id, 0 AS hops FROM hop0
    UNION ALL SELECT user_id, 1 FROM hop1
    UNION ALL SELECT user_id, 2 FROM hop2
    UNION ALL SELECT user_id, 3 FROM hop3
),
member_pairs AS (  -- photos of the accounts found, compared with each other
    SELECT DISTINCT x.photo_id AS a_id, x.user_id AS a_user, x.phash AS a_hash,
                    y.photo_id AS b_id, y.user_id AS b_user, y.phash AS b_hash
    FROM photo_bands x
    JOIN photo_bands y ON y.k = x.k AND y.band = x.band AND y.photo_id > x.photo_id
                      AND y.user_id <> x.user_id
    WHERE x.user_id IN (SELECT user_id FROM reached) AND y.user_id IN (SELECT user_id FROM reached)
),
member_digits AS (  -- the hex digits side by side, as plain columns to join on
    SELECT pp.a_id, pp.a_user, pp.b_id, pp.b_user,
           position(substr(pp.a_hash, np.i, 1) IN '0123456789abcdef') - 1 AS a_digit,
           position(substr(pp.b_hash, np.i, 1) IN '0123456789abcdef') - 1 AS b_digit
    FROM member_pairs pp
    CROSS JOIN nibbles np
),
member_photo_links AS (
    SELECT d.a_id, d.a_user, d.b_id, d.b_user
    FROM member_digits d
    JOIN nibble_xor nx ON nx.x = d.a_digit AND nx.y = d.b_digit
    GROUP BY d.a_id, d.a_user, d.b_id, d.b_user
    HAVING sum(nx.bits) <= 12
),
member_ids AS (  -- identifiers of the accounts found; a photo pair counts for both accounts
    SELECT DISTINCT i.user_id, i.kind, i.value FROM identifiers i
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
