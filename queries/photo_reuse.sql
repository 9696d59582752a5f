-- name: photo_reuse
-- title: Photo reuse across accounts
-- description: >
--   Photos on other accounts whose perceptual hash (photos.phash_int, 64 bits, computed at
--   ingest) is within max_distance bits of one of the user's photos: re-uploads, crops and
--   re-encodes of the same picture (romance-scam rings, impersonation of a verified member).
--   Closest first. Exact: every photo of the platform is compared (one vectorised pass of
--   bit_count(xor()) per photo of the user). Written for DuckDB; on PostgreSQL it is
--   transpiled, bit_count counting the bits of a bit(64). For search across all photos at
--   once use wb.content.similar_photos, which uses an index.
-- params:
--   user_id: {type: int, required: true, description: the account whose photos to look for}
--   max_distance: {type: int, default: 12, description: "at most this many differing bits (0-32; re-encodes ~0-4, light crops ~6-12)"}
--   limit: {type: int, default: 500, description: at most this many matches}
-- tags: [user, photos, content, rings, impersonation]
-- pii_columns: []
-- dialect: duckdb
WITH mine AS (
    SELECT photo_id, phash_int FROM photos WHERE user_id = :user_id AND phash_int IS NOT NULL
),
distances AS (
    SELECT
        m.photo_id,
        o.photo_id AS other_photo_id,
        o.user_id AS other_user_id,
        bit_count(xor(m.phash_int, o.phash_int)) AS distance,
        o.status AS other_status,
        o.uploaded_at AS other_uploaded_at
    FROM mine m
    CROSS JOIN photos o
    WHERE o.user_id <> :user_id AND o.phash_int IS NOT NULL
)
SELECT photo_id, other_photo_id, other_user_id, distance, other_status, other_uploaded_at
FROM distances
WHERE distance <= LEAST(:max_distance, 32)
ORDER BY distance, photo_id, other_photo_id
LIMIT :limit
