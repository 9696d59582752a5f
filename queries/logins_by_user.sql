-- name: logins_by_user
-- title: Logins of a user, new countries and devices flagged
-- description: >
--   Login attempts in a window, oldest first. new_country / new_device are true when this
--   user had never logged in successfully from that country / device before (failed attempts
--   from it are flagged too); new_both marks the typical account-takeover login. Nothing is
--   flagged before the account's first successful login.
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
        sum(CASE WHEN l.success THEN 1 ELSE 0 END) OVER (
            ORDER BY l.ts, l.login_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ok_before,
        sum(CASE WHEN l.success THEN 1 ELSE 0 END) OVER (
            PARTITION BY l.country ORDER BY l.ts, l.login_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ok_country_before,
        sum(CASE WHEN l.success THEN 1 ELSE 0 END) OVER (
            PARTITION BY l.device_id ORDER BY l.ts, l.login_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ok_device_before
    FROM logins l
    WHERE l.user_id = :user_id AND l.ts < :end
),
flagged AS (
    SELECT
        login_id, ts, ip, device_id, country, city, user_agent, success,
        (COALESCE(ok_before, 0) > 0 AND COALESCE(ok_country_before, 0) = 0) AS new_country,
        (COALESCE(ok_before, 0) > 0 AND COALESCE(ok_device_before, 0) = 0) AS new_device
    FROM history
)
SELECT
    login_id, ts, ip, device_id, country, city, user_agent, success,
    new_country, new_device, (new_country AND new_device) AS new_both
FROM flagged
WHERE ts >= :start
ORDER BY ts, login_id
LIMIT :limit
