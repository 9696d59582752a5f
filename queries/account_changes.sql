-- name: account_changes
-- title: Account and profile changes of a user
-- description: >
--   Changes to email, phone, password, names, bio and photos in a window, oldest first, with
--   the IP and device that made them. device_first_seen is the device's first login to this
--   account; from_new_device is true when that was less than 7 days before the change (or
--   never), the usual sign of a change made after a takeover.
-- params:
--   user_id: {type: int, required: true, description: the account}
--   start: {type: timestamp, default: -365d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 1000, description: at most this many changes}
-- tags: [user, takeover]
-- pii_columns: [old_value, new_value, ip, device_id]
WITH first_seen AS (
    SELECT l.device_id, min(l.ts) AS first_ts
    FROM logins l
    WHERE l.user_id = :user_id
    GROUP BY l.device_id
)
SELECT
    c.change_id, c.ts, c.field, c.old_value, c.new_value, c.ip, c.device_id,
    f.first_ts AS device_first_seen,
    (c.device_id IS NOT NULL
     AND (f.first_ts IS NULL OR f.first_ts > c.ts - INTERVAL '7 days')) AS from_new_device
FROM account_changes c
LEFT JOIN first_seen f ON f.device_id = c.device_id
WHERE c.user_id = :user_id
  AND c.ts >= :start AND c.ts < :end
ORDER BY c.ts, c.change_id
LIMIT :limit
