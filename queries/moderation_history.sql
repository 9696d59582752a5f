-- name: moderation_history
-- title: Moderation history of a user
-- description: >
--   Enforcement actions taken on the account, oldest first, with any appeal against each.
-- params:
--   user_id: {type: int, required: true, description: the account}
--   start: {type: timestamp, default: -3650d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 1000, description: at most this many actions}
-- tags: [user, moderation]
-- pii_columns: []
SELECT
    a.action_id, a.ts, a.action, a.clause, a.reason, a.actor, a.message_id, a.expires_at,
    ap.appeal_id, ap.status AS appeal_status, ap.created_at AS appealed_at, ap.decided_at AS appeal_decided_at
FROM moderation_actions a
LEFT JOIN appeals ap ON ap.action_id = a.action_id
WHERE a.user_id = :user_id
  AND a.ts >= :start AND a.ts < :end
ORDER BY a.ts, a.action_id, ap.appeal_id
LIMIT :limit
