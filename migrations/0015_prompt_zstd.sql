-- A model's prompt is stored as one zstd frame (level 1, content size in its header) of its UTF-8
-- text in prompt_zstd; prompt and prompt_deflated stay NULL. zstd compresses these prompts about
-- three times faster than zlib at a similar size, and a season stores a hundred thousand of them
-- (issue 18). Rows written before keep prompt_deflated (zlib, migration 0011) or prompt (plain text)
-- and are read from those.
ALTER TABLE decisions ADD COLUMN prompt_zstd BLOB;
