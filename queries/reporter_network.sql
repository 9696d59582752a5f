-- name: reporter_network
-- title: Are the people reporting a user linked to each other?
-- description: >
--   Pairs of accounts that reported the user in the window and share a device, a login IP or a
--   payment instrument, with the reasons, the link's weight and how many reports each filed.
--   Links are weighted by rarity as in linked_accounts: an identifier held by h accounts weighs
--   1/(h-1), and one weighing less than min_weight (a carrier's NAT, a campus or a VPN exit that
--   hundreds of strangers share) does not link anyone. Many linked reporters suggest
--   coordinated false reporting. Reporter identities are confidential.
-- params:
--   user_id: {type: int, required: true, description: the reported account}
--   start: {type: timestamp, default: -365d, description: reports from (inclusive)}
--   end: {type: timestamp, default: now, description: reports until (exclusive)}
--   min_weight: {type: float, default: 0.05, description: "identifiers weighing less are too common to count (0.05: held by more than 21 accounts)"}
-- tags: [reports, links, fairness]
-- pii_columns: [reporter_a, reporter_b, shared_values]
WITH reporters AS (
    SELECT r.reporter_id AS user_id, count(*) AS reports
    FROM reports r
    WHERE r.reported_user_id = :user_id AND r.created_at >= :start AND r.created_at < :end
    GROUP BY r.reporter_id
),
identifiers AS (  -- what each reporter holds that is rare enough to count
    SELECT i.user_id, i.kind, i.value, i.holders
    FROM account_identifiers i JOIN reporters rp ON rp.user_id = i.user_id
    WHERE i.holders > 1 AND (i.holders - 1) * :min_weight <= 1
),
pairs AS (
    SELECT DISTINCT a.user_id AS reporter_a, b.user_id AS reporter_b, a.kind, a.value, a.holders
    FROM identifiers a
    JOIN identifiers b ON b.kind = a.kind AND b.value = a.value AND b.user_id > a.user_id
)
SELECT
    p.reporter_a, p.reporter_b,
    string_agg(DISTINCT p.kind, ', ' ORDER BY p.kind) AS reasons,
    round(CAST(least(1.0, sum(1.0 / (p.holders - 1))) AS DECIMAL(12, 6)), 3) AS weight,
    count(*) AS shared_identifiers,
    string_agg(p.kind || ':' || p.value, ', ' ORDER BY p.kind || ':' || p.value) AS shared_values,
    min(ra.reports) AS reports_by_a,
    min(rb.reports) AS reports_by_b
FROM pairs p
JOIN reporters ra ON ra.user_id = p.reporter_a
JOIN reporters rb ON rb.user_id = p.reporter_b
GROUP BY p.reporter_a, p.reporter_b
ORDER BY p.reporter_a, p.reporter_b
