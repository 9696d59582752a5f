-- name: reports_against_user
-- title: Reports against a user
-- description: >
--   Reports filed against the account, oldest first. The reporter's identity is confidential:
--   never show it to the reported user.
-- params:
--   user_id: {type: int, required: true, description: the reported account}
--   start: {type: timestamp, default: -365d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 1000, description: at most this many reports}
-- tags: [user, reports]
-- pii_columns: [reporter_id, free_text]
SELECT
    r.report_id, r.created_at, r.reporter_id, r.reason, r.free_text, r.message_id
FROM reports r
WHERE r.reported_user_id = :user_id
  AND r.created_at >= :start AND r.created_at < :end
ORDER BY r.created_at, r.report_id
LIMIT :limit
