-- Trade statistics kept with the cash in the same transactions, and the equity statistics the
-- leaderboard needs (Sharpe, drawdown, risk ratio), so neither is recomputed from history.

ALTER TABLE accounts ADD COLUMN volume TEXT NOT NULL DEFAULT '0';
ALTER TABLE accounts ADD COLUMN closed_trades INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN winning_trades INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN biggest_win TEXT;
ALTER TABLE accounts ADD COLUMN biggest_loss TEXT;

CREATE TABLE account_metrics (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts(id),
    -- EquityStatistics as JSON: exact decimals as strings.
    metrics     TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE INDEX fills_by_account_time ON fills(account_id, time);
