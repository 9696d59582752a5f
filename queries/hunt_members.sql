-- name: hunt_members
-- title: What the hunt needs to know about accounts in clusters
-- description: >
--   One row per account: when it was created, its status and country, the reports against it
--   (how many, from how many reporters, the first and the last), the reports it filed (how
--   many, against how many accounts), and when it was last active (its latest message or
--   successful login). The workbench hunt ranks clusters of accounts with these.
-- params:
--   user_ids: {type: "list[int]", required: true, description: the accounts}
-- tags: [hunt, rings, reports]
-- pii_columns: []
WITH
against AS (
    SELECT reported_user_id AS user_id, count(*) AS reports_against,
           count(DISTINCT reporter_id) AS reporters, min(created_at) AS first_report_at,
           max(created_at) AS last_report_at
    FROM reports WHERE reported_user_id IN :user_ids GROUP BY reported_user_id
),
filed AS (
    SELECT reporter_id AS user_id, count(*) AS reports_filed,
           count(DISTINCT reported_user_id) AS reported_accounts
    FROM reports WHERE reporter_id IN :user_ids GROUP BY reporter_id
),
sent AS (
    SELECT sender_id AS user_id, count(*) AS messages_sent, max(sent_at) AS last_message_at
    FROM messages WHERE sender_id IN :user_ids GROUP BY sender_id
),
logged AS (
    SELECT user_id, max(ts) AS last_login_at FROM logins
    WHERE user_id IN :user_ids AND success GROUP BY user_id
)
SELECT
    u.user_id, u.created_at, u.status, u.country,
    coalesce(a.reports_against, 0) AS reports_against,
    coalesce(a.reporters, 0) AS reporters,
    a.first_report_at, a.last_report_at,
    coalesce(f.reports_filed, 0) AS reports_filed,
    coalesce(f.reported_accounts, 0) AS reported_accounts,
    coalesce(s.messages_sent, 0) AS messages_sent,
    s.last_message_at, l.last_login_at
FROM users u
LEFT JOIN against a ON a.user_id = u.user_id
LEFT JOIN filed f ON f.user_id = u.user_id
LEFT JOIN sent s ON s.user_id = u.user_id
LEFT JOIN logged l ON l.user_id = u.user_id
WHERE u.user_id IN :user_ids
ORDER BY u.user_id
