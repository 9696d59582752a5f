-- name: money_asked
-- title: Messages asking for money
-- description: >
--   Messages the accounts sent in the window that name an amount of money (USD, USDT, EUR,
--   GBP, $, €, £ next to a number), newest first. The amounts are read from the text by
--   workbench.hunt.money (the hunt adds them up per cluster).
-- params:
--   user_ids: {type: "list[int]", required: true, description: the senders}
--   start: {type: timestamp, default: -365d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 5000, description: at most this many messages}
-- tags: [hunt, messages, scams, money]
-- pii_columns: [body]
SELECT m.message_id, m.sent_at, m.sender_id, m.recipient_id, m.body
FROM messages m
WHERE m.sender_id IN :user_ids
  AND m.sent_at >= :start AND m.sent_at < :end
  AND (strpos(m.body, 'USD') > 0 OR strpos(m.body, 'EUR') > 0 OR strpos(m.body, 'GBP') > 0
       OR strpos(m.body, '$') > 0 OR strpos(m.body, '€') > 0 OR strpos(m.body, '£') > 0)
ORDER BY m.sent_at DESC, m.message_id DESC
LIMIT :limit
