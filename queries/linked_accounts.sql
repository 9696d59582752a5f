-- name: linked_accounts
-- title: Accounts linked to a user
-- description: >
--   Accounts reachable from the user through shared identifiers (a device, a login IP, a
--   payment instrument), up to max_hops links away, nearest first. For each: the smallest hop
--   count, the reasons (kinds of identifier shared with the others found), how many identifiers
--   and the shared values. To add a link kind (photo hash, ...) add one branch to `identifiers`.
-- params:
--   user_id: {type: int, required: true, description: the account to start from}
--   max_hops: {type: int, default: 2, description: how many links to follow (1-4)}
--   limit: {type: int, default: 500, description: at most this many linked accounts}
-- tags: [user, links, rings]
-- pii_columns: [shared_values]
WITH RECURSIVE identifiers AS (
    SELECT d.user_id, 'device' AS kind, d.device_id AS value FROM devices d
    UNION ALL
    SELECT DISTINCT l.user_id, 'ip' AS kind, l.ip AS value FROM logins l WHERE l.success
    UNION ALL
    SELECT DISTINCT p.user_id, 'payment_instrument' AS kind, p.instrument_fingerprint AS value
    FROM payments p
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
