-- name: logins_by_user
-- title: Logins of a user, new countries and devices flagged
-- description: >
--   Login attempts in a window, oldest first. new_country / new_device are true when the
--   country / device had never been seen in any earlier login of this user (the first login
--   ever is not flagged); new_both marks the typical account-takeover login.
-- params:
--   user_id: {type: int, required: true, description: the account}
--   start: {type: timestamp, default: -90d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 1000, description: at most this many logins}
-- tags: [user, logins, takeover]
-- pii_columns: [ip, device_id, user_agent]
WITH history AS (
    SELECT
        l.login_id, l.ts, l.ip, l.device_id, l.country, l.city, l.user_agent, l.success,
        ROW_NUMBER() OVER (ORDER BY l.ts, l.login_id) AS seq,
        ROW_NUMBER() OVER (PARTITION BY l.country ORDER BY l.ts, l.login_id) AS country_seq,
        ROW_NUMBER() OVER (PARTITION BY l.device_id ORDER BY l.ts, l.login_id) AS device_seq
    FROM logins l
    WHERE l.user_id = :user_id AND l.ts < :end
)
SELECT
    login_id, ts, ip, device_id, country, city, user_agent, success,
    (seq > 1 AND country_seq = 1) AS new_country,
    (seq > 1 AND device_seq = 1) AS new_device,
    (seq > 1 AND country_seq = 1 AND device_seq = 1) AS new_both
FROM history
WHERE ts >= :start
ORDER BY ts, login_id
LIMIT :limit
