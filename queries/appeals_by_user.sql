-- name: appeals_by_user
-- title: Appeals by a user
-- description: Appeals the account filed, oldest first, with the action appealed.
-- params:
--   user_id: {type: int, required: true, description: the account}
--   start: {type: timestamp, default: -3650d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 1000, description: at most this many appeals}
-- tags: [user, moderation, appeals]
-- pii_columns: [text]
SELECT
    ap.appeal_id, ap.created_at, ap.status, ap.decided_at, ap.text,
    a.action_id, a.action, a.clause, a.ts AS action_at
FROM appeals ap
LEFT JOIN moderation_actions a ON a.action_id = ap.action_id
WHERE ap.user_id = :user_id
  AND ap.created_at >= :start AND ap.created_at < :end
ORDER BY ap.created_at, ap.appeal_id
LIMIT :limit
