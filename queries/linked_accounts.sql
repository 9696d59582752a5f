-- name: linked_accounts
-- title: Accounts linked to a user
-- description: >
--   Accounts reachable from the user through shared identifiers (a device, a login IP, a
--   payment instrument, a near-duplicate profile photo), up to max_hops links away, nearest
--   first. For each: the smallest hop count, the reasons (kinds of identifier shared with the
--   others found), how many identifiers and the shared values. To add a link kind add one
--   branch to `identifiers`.
-- params:
--   user_id: {type: int, required: true, description: the account to start from}
--   max_hops: {type: int, default: 2, description: how many links to follow (1-4)}
--   limit: {type: int, default: 500, description: at most this many linked accounts}
-- tags: [user, links, rings]
-- pii_columns: [shared_values]
WITH RECURSIVE
-- >>> photo links (content engineer, see queries/photo_reuse.sql): two accounts whose profile
-- photos are near-duplicates (perceptual hashes within 12 bits) share a 'photo' identifier.
-- Candidate pairs share one of the hash's 8 bytes exactly (pigeonhole: every pair within 7 bits
-- does, and most re-encodes and crops further out), then the Hamming distance is summed over the
-- 16 hex digits from a 16 x 16 table of differing bits: portable SQL, no XOR or bit_count needed.
photo_bands AS (
    SELECT ph.photo_id, ph.user_id, lower(ph.phash) AS phash, b.k,
           substr(lower(ph.phash), 2 * b.k + 1, 2) AS band
    FROM photos ph
    CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7)) AS b (k)
    WHERE ph.phash IS NOT NULL AND length(ph.phash) = 16
),
photo_pairs AS (
    SELECT DISTINCT x.photo_id AS a_id, x.user_id AS a_user, x.phash AS a_hash,
                    y.photo_id AS b_id, y.user_id AS b_user, y.phash AS b_hash
    FROM photo_bands x
    JOIN photo_bands y ON y.k = x.k AND y.band = x.band AND y.photo_id > x.photo_id
                      AND y.user_id <> x.user_id
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
photo_links AS MATERIALIZED (
    SELECT pp.a_id, pp.a_user, pp.b_id, pp.b_user
    FROM photo_pairs pp
    CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16)) AS np (i)
    JOIN nibble_xor nx
      ON nx.x = position(substr(pp.a_hash, np.i, 1) IN '0123456789abcdef') - 1
     AND nx.y = position(substr(pp.b_hash, np.i, 1) IN '0123456789abcdef') - 1
    GROUP BY pp.a_id, pp.a_user, pp.b_id, pp.b_user
    HAVING sum(nx.bits) <= 12
),
-- <<< photo links
identifiers AS (
    SELECT d.user_id, 'device' AS kind, d.device_id AS value FROM devices d
    UNION ALL
    SELECT DISTINCT l.user_id, 'ip' AS kind, l.ip AS value FROM logins l WHERE l.success
    UNION ALL
    SELECT DISTINCT p.user_id, 'payment_instrument' AS kind, p.instrument_fingerprint AS value
    FROM payments p
    UNION ALL  -- photo links: both accounts get the pair's id as a shared 'photo' identifier
    SELECT a_user AS user_id, 'photo' AS kind, CAST(a_id AS VARCHAR) || '~' || CAST(b_id AS VARCHAR) AS value
    FROM photo_links
    UNION ALL
    SELECT b_user AS user_id, 'photo' AS kind, CAST(a_id AS VARCHAR) || '~' || CAST(b_id AS VARCHAR) AS value
    FROM photo_links
),
walk (user_id, hop) AS (
    SELECT CAST(:user_id AS BIGINT), 0
    UNION
    SELECT b.user_id, w.hop + 1
    FROM walk w
    JOIN identifiers a ON a.user_id = w.user_id
    JOIN identifiers b ON b.kind = a.kind AND b.value = a.value AND b.user_id <> a.user_id
    WHERE w.hop < LEAST(:max_hops, 4)
),
reached AS (
    SELECT user_id, min(hop) AS hops FROM walk GROUP BY user_id
),
shared AS (
    SELECT DISTINCT x.user_id, x.kind, x.value
    FROM reached r
    JOIN identifiers x ON x.user_id = r.user_id
    JOIN identifiers y ON y.kind = x.kind AND y.value = x.value AND y.user_id <> x.user_id
    JOIN reached r2 ON r2.user_id = y.user_id
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
