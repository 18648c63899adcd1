-- An account's prompts are stored in runs (issue 18): a keyframe, compressed on its own as before
-- (prompt_base NULL), then up to 63 prompts each compressed against the keyframe's text (a zstd
-- prefix of raw content), naming it in prompt_base. A prompt repeats most of the previous ones'
-- text, so against a recent one it shrinks to about 40% of its size compressed alone, and zstd
-- compresses it faster. A reader of such a row needs its keyframe's text first; a keyframe never
-- names another. Rows written before with a zstd prompt are keyframes; the next prompt of their
-- account is stored against the newest of them.
ALTER TABLE decisions ADD COLUMN prompt_base INTEGER REFERENCES decisions(id);
