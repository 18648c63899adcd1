-- How each account's paper venue behaves: 'venue' is faithful to Hyperliquid (the default),
-- 'noisy' adds the seed-003 profile (latency, random rejections, partial fills of large orders,
-- size-based slippage), every draw seeded by the arena's seed and the account's id. A live
-- account keeps its setting for when it returns to paper.
ALTER TABLE accounts ADD COLUMN paper_realism TEXT NOT NULL DEFAULT 'venue'
    CHECK (paper_realism IN ('venue', 'noisy'));
