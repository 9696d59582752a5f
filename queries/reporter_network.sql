-- name: reporter_network
-- title: Are the people reporting a user linked to each other?
-- description: >
--   Pairs of accounts that reported the user in the window and share a device, a login IP or a
--   payment instrument, with the reasons and how many reports each filed. Many linked reporters
--   suggest coordinated false reporting. Reporter identities are confidential.
-- params:
--   user_id: {type: int, required: true, description: the reported account}
--   start: {type: timestamp, default: -365d, description: reports from (inclusive)}
--   end: {type: timestamp, default: now, description: reports until (exclusive)}
-- tags: [reports, links, fairness]
-- pii_columns: [reporter_a, reporter_b, shared_values]
WITH reporters AS (
    SELECT r.reporter_id AS user_id, count(*) AS reports
    FROM reports r
    WHERE r.reported_user_id = :user_id AND r.created_at >= :start AND r.created_at < :end
    GROUP BY r.reporter_id
),
identifiers AS (  -- what each reporter holds (account_identifiers: devices, login IPs, payments)
    SELECT i.user_id, i.kind, i.value
    FROM account_identifiers i JOIN reporters rp ON rp.user_id = i.user_id
),
pairs AS (
    SELECT DISTINCT a.user_id AS reporter_a, b.user_id AS reporter_b, a.kind, a.value
    FROM identifiers a
    JOIN identifiers b ON b.kind = a.kind AND b.value = a.value AND b.user_id > a.user_id
)
SELECT
    p.reporter_a, p.reporter_b,
    string_agg(DISTINCT p.kind, ', ' ORDER BY p.kind) AS reasons,
    count(*) AS shared_identifiers,
    string_agg(p.kind || ':' || p.value, ', ' ORDER BY p.kind || ':' || p.value) AS shared_values,
    min(ra.reports) AS reports_by_a,
    min(rb.reports) AS reports_by_b
FROM pairs p
JOIN reporters ra ON ra.user_id = p.reporter_a
JOIN reporters rb ON rb.user_id = p.reporter_b
GROUP BY p.reporter_a, p.reporter_b
ORDER BY p.reporter_a, p.reporter_b
