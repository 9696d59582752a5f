-- name: conversation
-- title: Conversation between two users
-- description: Every message between two accounts, both directions, oldest first.
-- params:
--   user_a: {type: int, required: true, description: one side}
--   user_b: {type: int, required: true, description: the other side}
--   start: {type: timestamp, default: -365d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 2000, description: at most this many messages}
-- tags: [messages, content]
-- pii_columns: [body]
WITH conv AS (
    SELECT m.message_id, m.conversation_id, m.sent_at, m.sender_id, m.recipient_id, m.body, m.has_media
    FROM messages m
    WHERE ((m.sender_id = :user_a AND m.recipient_id = :user_b)
        OR (m.sender_id = :user_b AND m.recipient_id = :user_a))
      AND m.sent_at >= :start AND m.sent_at < :end
    ORDER BY m.sent_at, m.message_id
    LIMIT :limit
),
att AS (  -- attachments of these messages only (a correlated count would scan them all)
    SELECT a.message_id, count(*) AS n
    FROM attachments a
    WHERE a.message_id IN (SELECT message_id FROM conv)
    GROUP BY a.message_id
)
SELECT c.message_id, c.conversation_id, c.sent_at, c.sender_id, c.recipient_id, c.body, c.has_media,
       COALESCE(att.n, 0) AS attachments
FROM conv c
LEFT JOIN att ON att.message_id = c.message_id
ORDER BY c.sent_at, c.message_id
