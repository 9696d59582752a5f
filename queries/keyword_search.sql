-- name: keyword_search
-- title: Messages containing any of some terms
-- description: >
--   Messages whose text contains any of the terms, case-insensitively, in any language or
--   script (a substring match: Japanese, Thai and other unspaced scripts work too). Newest
--   first, with the terms each message matched.
-- params:
--   terms: {type: "list[str]", required: true, array: true, description: words or phrases (any script)}
--   start: {type: timestamp, default: -90d, description: from (inclusive)}
--   end: {type: timestamp, default: now, description: until (exclusive)}
--   limit: {type: int, default: 500, description: at most this many messages}
-- tags: [messages, content, search]
-- pii_columns: [body]
WITH terms AS (
    SELECT DISTINCT lower(t.term) AS term
    FROM unnest(CAST(:terms AS VARCHAR[])) AS t(term)
    WHERE t.term <> ''
)
SELECT
    m.message_id, m.conversation_id, m.sent_at, m.sender_id, m.recipient_id, m.body,
    string_agg(t.term, ', ' ORDER BY t.term) AS matched_terms
FROM messages m
JOIN terms t ON strpos(lower(m.body), t.term) > 0
WHERE m.sent_at >= :start AND m.sent_at < :end
GROUP BY m.message_id, m.conversation_id, m.sent_at, m.sender_id, m.recipient_id, m.body
ORDER BY m.sent_at DESC, m.message_id DESC
LIMIT :limit
