-- name: messages_by_user
-- title: Messages sent and received by a user
-- description: >
--   Direct messages the user sent or received in a time window, oldest first, with the
--   direction and the other party.
-- params:
--   user_id: {type: int, required: true, description: the account}
--   start: {type: timestamp, default: -90d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 1000, description: at most this many messages}
-- tags: [user, messages, content]
-- pii_columns: [body]
SELECT
    m.message_id, m.conversation_id, m.sent_at,
    CASE WHEN m.sender_id = :user_id THEN 'sent' ELSE 'received' END AS direction,
    CASE WHEN m.sender_id = :user_id THEN m.recipient_id ELSE m.sender_id END AS counterpart_id,
    m.sender_id, m.recipient_id, m.body, m.has_media
FROM messages m
WHERE (m.sender_id = :user_id OR m.recipient_id = :user_id)
  AND m.sent_at >= :start AND m.sent_at < :end
ORDER BY m.sent_at, m.message_id
LIMIT :limit
