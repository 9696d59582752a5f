-- name: hunt_links
-- title: Rare links between accounts, platform-wide (the hunt's edge list)
-- description: >
--   Every pair of accounts that shares something rare: a device, a login IP, a payment
--   instrument (account_identifiers), a near-duplicate profile photo, or a message template
--   (near-duplicate long opening messages). One row per pair and kind of link, with the link's
--   weight. Weights are by rarity: an identifier held by h accounts weighs 1/(h-1), and one
--   weighing less than min_weight (a carrier's NAT, a campus, a VPN exit) is dropped before
--   any pair is made. Per pair and kind the weights of what is shared are summed and capped
--   at 1 (a template's shingles are one piece of evidence: the weight of the most widely held
--   shingle the two share counts, that is how many accounts use the template).
--   Photos: the four 16-bit blocks of each 64-bit hash are keys; two photos that agree on one
--   block and are within max_photo_distance bits are a pair (always found within 3 bits), and
--   the photos of every account linked by anything are also compared with each other (within
--   max_photo_distance + 2 bits). Templates: an opening message of at least min_template_length
--   characters, lower-cased without spaces, punctuation or digits, is cut into 20-character
--   shingles and about one in four (those whose md5 starts with 0-3) are kept; accounts
--   sharing a rare shingle share a template. The workbench hunt (workbench.hunt) clusters
--   these pairs. Written for DuckDB (bit_count(xor())); transpiled for PostgreSQL.
-- params:
--   min_weight: {type: float, default: 0.05, description: "links weighing less are too common to count (0.05: held by more than 21 accounts)"}
--   max_photo_distance: {type: int, default: 8, description: "photos this many bits apart or closer are near-duplicates, platform-wide (0-12)"}
--   min_template_length: {type: int, default: 60, description: opening messages shorter than this are small talk, not templates}
-- tags: [hunt, links, rings, platform]
-- pii_columns: []
-- dialect: duckdb
WITH
rare AS (  -- identifiers rare enough to count: 1/(holders - 1) >= min_weight
    SELECT user_id, identifier_id, kind, holders FROM account_identifiers
    WHERE holders > 1 AND (holders - 1) * :min_weight <= 1
),
id_links AS (
    SELECT a.user_id AS user_a, b.user_id AS user_b, a.kind, 1.0 / (a.holders - 1) AS w
    FROM rare a JOIN rare b ON b.identifier_id = a.identifier_id AND b.user_id > a.user_id
),
-- templates ------------------------------------------------------------------------------
long_messages AS (
    SELECT message_id, conversation_id, sender_id, sent_at, body FROM messages
    WHERE length(body) >= :min_template_length
),
openers AS (  -- the sender's first message in its conversation
    SELECT l.sender_id, l.body FROM long_messages l
    WHERE NOT EXISTS (
        SELECT 1 FROM messages m
        WHERE m.conversation_id = l.conversation_id AND m.sender_id = l.sender_id
          AND (m.sent_at < l.sent_at OR (m.sent_at = l.sent_at AND m.message_id < l.message_id))
    )
),
texts AS (
    SELECT DISTINCT sender_id,
           translate(lower(body), ' .,;:!?¡¿''"()[]-_/*~…。、！？「」・0123456789', '') AS norm
    FROM openers
),
distinct_texts AS (
    SELECT DISTINCT norm FROM texts WHERE length(norm) >= :min_template_length - 20
),
shingles AS (
    SELECT DISTINCT t.norm, md5(substring(t.norm, g.i, 20)) AS h
    FROM distinct_texts t
    JOIN generate_series(1, 2000) AS g(i) ON g.i <= length(t.norm) - 19
),
sampled AS (
    SELECT norm, h FROM shingles WHERE left(h, 1) IN ('0', '1', '2', '3')
),
user_shingles AS (
    SELECT DISTINCT t.sender_id AS user_id, s.h FROM sampled s JOIN texts t ON t.norm = s.norm
),
shingle_holders AS (
    SELECT h, count(*) AS holders FROM user_shingles GROUP BY h
),
rare_shingles AS (
    SELECT u.user_id, u.h, sh.holders FROM user_shingles u
    JOIN shingle_holders sh ON sh.h = u.h
    WHERE sh.holders > 1 AND (sh.holders - 1) * :min_weight <= 1
),
template_links AS (
    SELECT a.user_id AS user_a, b.user_id AS user_b, 'template' AS kind,
           1.0 / (a.holders - 1) AS w
    FROM rare_shingles a JOIN rare_shingles b ON b.h = a.h AND b.user_id > a.user_id
),
-- photos ---------------------------------------------------------------------------------
blocks AS (
    SELECT p.photo_id, p.user_id, p.phash_int, k.k, (p.phash_int >> (16 * k.k)) & 65535 AS block
    FROM photos p CROSS JOIN (VALUES (0), (1), (2), (3)) AS k(k)
    WHERE p.phash_int IS NOT NULL
),
block_hits AS (
    SELECT x.photo_id AS a_id, x.user_id AS a_user, y.photo_id AS b_id, y.user_id AS b_user
    FROM blocks x
    JOIN blocks y ON y.k = x.k AND y.block = x.block
    WHERE y.photo_id > x.photo_id AND y.user_id <> x.user_id
      AND bit_count(xor(x.phash_int, y.phash_int)) <= LEAST(:max_photo_distance, 12)
),
linked_users AS (
    SELECT user_a AS user_id FROM id_links UNION SELECT user_b FROM id_links
    UNION SELECT user_a FROM template_links UNION SELECT user_b FROM template_links
    UNION SELECT a_user FROM block_hits UNION SELECT b_user FROM block_hits
),
linked_photos AS (
    SELECT photo_id, user_id, phash_int FROM photos
    WHERE user_id IN (SELECT user_id FROM linked_users) AND phash_int IS NOT NULL
),
linked_hits AS (  -- the photos of accounts linked by anything, compared with each other
    SELECT x.photo_id AS a_id, x.user_id AS a_user, y.photo_id AS b_id, y.user_id AS b_user
    FROM linked_photos x
    JOIN linked_photos y ON y.photo_id > x.photo_id AND y.user_id <> x.user_id
    WHERE bit_count(xor(x.phash_int, y.phash_int)) <= LEAST(:max_photo_distance, 12) + 2
),
photo_hits AS (
    SELECT a_id, a_user, b_id, b_user FROM block_hits
    UNION SELECT a_id, a_user, b_id, b_user FROM linked_hits
),
photo_degree AS (  -- per photo: how many other accounts hold a copy of it
    SELECT photo_id, count(DISTINCT other) AS others FROM (
        SELECT a_id AS photo_id, b_user AS other FROM photo_hits
        UNION ALL SELECT b_id, a_user FROM photo_hits
    ) AS d GROUP BY photo_id
),
photo_links AS (  -- a pair of copies weighs 1/(accounts holding the picture - 1)
    SELECT least(h.a_user, h.b_user) AS user_a, greatest(h.a_user, h.b_user) AS user_b,
           'photo' AS kind, 1.0 / greatest(da.others, db.others) AS w
    FROM photo_hits h
    JOIN photo_degree da ON da.photo_id = h.a_id
    JOIN photo_degree db ON db.photo_id = h.b_id
),
-- all together ---------------------------------------------------------------------------
links AS (
    SELECT user_a, user_b, kind, w FROM id_links
    UNION ALL SELECT user_a, user_b, kind, w FROM template_links
    UNION ALL SELECT user_a, user_b, kind, w FROM photo_links WHERE w >= :min_weight
)
SELECT
    user_a,
    user_b,
    kind,
    count(*) AS shared,
    round(CAST(CASE WHEN kind = 'template' THEN min(w) ELSE least(1.0, sum(w)) END
              AS DECIMAL(12, 6)), 4) AS weight
FROM links
GROUP BY user_a, user_b, kind
ORDER BY user_a, user_b, kind
