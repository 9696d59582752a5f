-- name: reports_filed_by
-- title: Whom a group of accounts reported
-- description: >
--   For each account of the list and each account it reported: how many reports, the first and
--   the last. Several linked accounts reporting one and the same account is how a brigade
--   looks (the hunt counts it). Reporter identities are confidential.
-- params:
--   user_ids: {type: "list[int]", required: true, description: the reporting accounts}
-- tags: [hunt, reports, fairness]
-- pii_columns: [reporter_id]
SELECT reporter_id, reported_user_id, count(*) AS reports,
       min(created_at) AS first_report_at, max(created_at) AS last_report_at
FROM reports
WHERE reporter_id IN :user_ids
GROUP BY reporter_id, reported_user_id
ORDER BY reporter_id, reported_user_id
