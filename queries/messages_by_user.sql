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
WITH mine AS (
    -- Two branches, not `sender_id = :user_id OR recipient_id = :user_id`: each branch is one plain
    -- equality the engine can use (an index in PostgreSQL, row-group skipping in DuckDB); an OR
    -- across two columns makes both read every message.
    SELECT m.message_id, m.conversation_id, m.sent_at, 'sent' AS direction,
           m.recipient_id AS counterpart_id, m.sender_id, m.recipient_id, m.body, m.has_media
    FROM messages m
    WHERE m.sender_id = :user_id AND m.sent_at >= :start AND m.sent_at < :end
    UNION ALL
    SELECT m.message_id, m.conversation_id, m.sent_at, 'received' AS direction,
           m.sender_id AS counterpart_id, m.sender_id, m.recipient_id, m.body, m.has_media
    FROM messages m
    WHERE m.recipient_id = :user_id AND m.sender_id <> :user_id
      AND m.sent_at >= :start AND m.sent_at < :end
)
SELECT message_id, conversation_id, sent_at, direction, counterpart_id,
       sender_id, recipient_id, body, has_media
FROM mine
ORDER BY sent_at, message_id
LIMIT :limit
