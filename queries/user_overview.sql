-- name: user_overview
-- title: User overview
-- description: >
--   One row about an account: identity, status, profile basics (no special-category fields)
--   and activity counts across messages, reports, logins, devices, payments and moderation.
-- params:
--   user_id: {type: int, required: true, description: the account to look at}
-- tags: [user, overview]
-- pii_columns: [handle, display_name, email, phone]
SELECT
    -- Every count filters on :user_id itself, not on u.user_id: an uncorrelated filter is one the
    -- engine can push into each table's scan (index or row-group skipping), where a correlated one
    -- is turned into a join over the whole table.
    u.user_id, u.handle, u.display_name, u.email, u.phone, u.country, u.language,
    u.created_at, u.status, u.verified,
    p.birth_year, p.city, p.occupation, p.looking_for,
    (SELECT count(*) FROM messages m WHERE m.sender_id = :user_id) AS messages_sent,
    (SELECT count(*) FROM messages m WHERE m.recipient_id = :user_id) AS messages_received,
    (SELECT count(*) FROM reports r WHERE r.reported_user_id = :user_id) AS reports_against,
    (SELECT count(*) FROM reports r WHERE r.reporter_id = :user_id) AS reports_made,
    (SELECT count(*) FROM logins l WHERE l.user_id = :user_id) AS logins,
    (SELECT max(l.ts) FROM logins l WHERE l.user_id = :user_id AND l.success) AS last_login_at,
    (SELECT count(DISTINCT l.country) FROM logins l WHERE l.user_id = :user_id) AS login_countries,
    (SELECT count(*) FROM devices d WHERE d.user_id = :user_id) AS devices,
    (SELECT count(*) FROM payments pa WHERE pa.user_id = :user_id) AS payments,
    (SELECT count(*) FROM moderation_actions a WHERE a.user_id = :user_id) AS moderation_actions,
    (SELECT count(*) FROM appeals ap WHERE ap.user_id = :user_id) AS appeals
FROM users u
LEFT JOIN profiles p ON p.user_id = u.user_id
WHERE u.user_id = :user_id
