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
WITH mine AS (
    -- bits: differing bits of two hex digits v and d at position 16 * v + d + 1 (a 16 x 16
    -- table as one string), so each of the 16 digit pairs costs a lookup and no join: the
    -- distance to every other photo is one pass over the photos table
    SELECT photo_id, user_id, lower(phash) AS phash,
           '0112122312232334102121322132324312012312231234232110322132214332122301122334122321321021324321322312120134232312322121104332322112232334011212232132324310212132231234231201231232214332211032212334122312230112324321322132102134232312231212014332322132212110' AS bits
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
        CAST(substr(m.bits, 16 * (position(substr(m.phash, 1, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 1, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 2, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 2, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 3, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 3, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 4, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 4, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 5, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 5, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 6, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 6, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 7, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 7, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 8, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 8, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 9, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 9, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 10, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 10, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 11, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 11, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 12, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 12, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 13, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 13, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 14, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 14, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 15, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 15, 1) IN '0123456789abcdef'), 1) AS INTEGER)
        + CAST(substr(m.bits, 16 * (position(substr(m.phash, 16, 1) IN '0123456789abcdef') - 1)
                            + position(substr(o.phash, 16, 1) IN '0123456789abcdef'), 1) AS INTEGER) AS distance
    FROM mine m
    CROSS JOIN others o
)
SELECT photo_id, other_photo_id, other_user_id, distance, other_status, other_uploaded_at
FROM distances
WHERE distance <= LEAST(:max_distance, 32)
ORDER BY distance, photo_id, other_photo_id
LIMIT :limit
