-- name: reports_by_reporter
-- title: Reports filed by a user
-- description: Reports the account filed against others, oldest first (to judge a reporter).
-- params:
--   user_id: {type: int, required: true, description: the reporting account}
--   start: {type: timestamp, default: -365d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 1000, description: at most this many reports}
-- tags: [user, reports, fairness]
-- pii_columns: [free_text]
SELECT
    r.report_id, r.created_at, r.reported_user_id, r.reason, r.free_text, r.message_id
FROM reports r
WHERE r.reporter_id = :user_id
  AND r.created_at >= :start AND r.created_at < :end
ORDER BY r.created_at, r.report_id
LIMIT :limit
