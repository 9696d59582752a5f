-- name: payments_by_user
-- title: Payments of a user
-- description: >
--   Purchases in a window, oldest first; instrument_other_users counts other accounts that paid
--   with the same instrument (ever).
-- params:
--   user_id: {type: int, required: true, description: the account}
--   start: {type: timestamp, default: -365d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 1000, description: at most this many payments}
-- tags: [user, payments, links]
-- pii_columns: [instrument_fingerprint]
SELECT
    p.payment_id, p.ts, p.amount, p.currency, p.product, p.status,
    p.instrument_type, p.instrument_fingerprint,
    (SELECT count(DISTINCT o.user_id) FROM payments o
     WHERE o.instrument_fingerprint = p.instrument_fingerprint AND o.user_id <> p.user_id)
        AS instrument_other_users
FROM payments p
WHERE p.user_id = :user_id
  AND p.ts >= :start AND p.ts < :end
ORDER BY p.ts, p.payment_id
LIMIT :limit
