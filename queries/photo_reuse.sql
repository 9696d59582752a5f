-- name: photo_reuse
-- title: Photo reuse across accounts
-- description: >
--   Photos on other accounts whose perceptual hash (photos.phash, 64 bits as 16 hex characters,
--   computed at ingest) is within max_distance bits of one of the user's photos: re-uploads,
--   crops and re-encodes of the same picture (romance-scam rings, impersonation of a verified
--   member). Closest first. The Hamming distance is computed in portable SQL (each hex digit's
--   four bits compared arithmetically), so it runs unchanged on DuckDB and PostgreSQL; for
--   search across all photos at once use wb.content.similar_photos, which uses an index.
-- params:
--   user_id: {type: int, required: true, description: the account whose photos to look for}
--   max_distance: {type: int, default: 12, description: "at most this many differing bits (0-32; re-encodes ~0-4, light crops ~6-12)"}
--   limit: {type: int, default: 500, description: at most this many matches}
-- tags: [user, photos, content, rings, impersonation]
-- pii_columns: []
WITH nibble_pos (i) AS (
    VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16)
),
bit_weight (w) AS (
    VALUES (1), (2), (4), (8)
),
mine AS (
    SELECT photo_id, user_id, lower(phash) AS phash
    FROM photos
    WHERE user_id = :user_id AND phash IS NOT NULL AND length(phash) = 16
),
others AS (
    SELECT photo_id, user_id, lower(phash) AS phash, status, uploaded_at
    FROM photos
    WHERE user_id <> :user_id AND phash IS NOT NULL AND length(phash) = 16
),
distances AS (
    SELECT
        m.photo_id,
        o.photo_id AS other_photo_id,
        o.user_id AS other_user_id,
        o.status AS other_status,
        o.uploaded_at AS other_uploaded_at,
        sum(CASE
                WHEN CAST(floor((position(substr(m.phash, p.i, 1) IN '0123456789abcdef') - 1) / b.w) AS INTEGER) % 2
                  <> CAST(floor((position(substr(o.phash, p.i, 1) IN '0123456789abcdef') - 1) / b.w) AS INTEGER) % 2
                THEN 1 ELSE 0
            END) AS distance
    FROM mine m
    CROSS JOIN others o
    CROSS JOIN nibble_pos p
    CROSS JOIN bit_weight b
    GROUP BY m.photo_id, o.photo_id, o.user_id, o.status, o.uploaded_at
)
SELECT photo_id, other_photo_id, other_user_id, distance, other_status, other_uploaded_at
FROM distances
WHERE distance <= LEAST(:max_distance, 32)
ORDER BY distance, photo_id, other_photo_id
LIMIT :limit
