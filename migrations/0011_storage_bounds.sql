-- Storage that stays bounded for weeks (issue 17).
-- A model's prompt (about 6 KB, mostly the same template text every time) is stored deflated
-- (raw DEFLATE, RFC 1951) in prompt_deflated and prompt stays NULL; rows written before keep their text.
ALTER TABLE decisions ADD COLUMN prompt_deflated BLOB;

-- How far the background upkeep has gone, so a pass never rereads history it already thinned:
-- 'snapshots_downsampled:<account id>' holds the market time (ms) before which that account's
-- equity snapshots are downsampled.
CREATE TABLE storage_watermarks (
    name   TEXT    PRIMARY KEY,
    value  INTEGER NOT NULL
);
