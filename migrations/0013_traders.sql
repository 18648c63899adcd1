-- Real Hyperliquid traders the arena discovers and tracks (issue #14). A trader is an address seen
-- on the venue's public tape (discovered), added by an operator, or followed by a copy account.
-- Its metrics are kept up to date as observations and fills arrive (in the transaction that stores
-- them), so listing a thousand traders reads one row each.
CREATE TABLE traders (
    id                 INTEGER PRIMARY KEY,
    address            TEXT    NOT NULL UNIQUE,             -- 0x + 40 lowercase hex digits
    source             TEXT    NOT NULL CHECK (source IN ('discovered', 'operator', 'copy')),
    active             INTEGER NOT NULL DEFAULT 1,          -- 0: no longer tracked, history kept
    deactivated_reason TEXT,
    first_seen         INTEGER NOT NULL,                    -- epoch ms, wall clock
    last_tracked       INTEGER,                             -- epoch ms of the last answered look
    account_value      TEXT,                                -- USD at the last look
    first_value        TEXT,                                -- USD at the first look (return_pct's base)
    peak_value         TEXT,                                -- highest account value seen
    max_drawdown       REAL,                                -- deepest fall from peak_value, a fraction
    risk_ratio_sum     REAL    NOT NULL DEFAULT 0,          -- sum of margin used / account value per look
    risk_ratio_count   INTEGER NOT NULL DEFAULT 0,
    total_volume       TEXT    NOT NULL DEFAULT '0',        -- USD notional of the fills stored
    closing_fills      INTEGER NOT NULL DEFAULT 0,          -- fills that realised PnL
    winning_fills      INTEGER NOT NULL DEFAULT 0,          -- of those, with positive PnL
    max_profit         TEXT,                                -- best realised PnL of one fill
    max_loss           TEXT,                                -- worst realised PnL of one fill
    earliest_fill      INTEGER,                             -- epoch ms of the oldest fill seen
    last_fill          INTEGER                              -- epoch ms of the newest fill stored
);
CREATE INDEX traders_by_active ON traders(active);

-- Each trader's open positions as last observed (signed size: negative is short).
CREATE TABLE trader_positions (
    trader_id   INTEGER NOT NULL REFERENCES traders(id),
    symbol      TEXT    NOT NULL,
    size        TEXT    NOT NULL,
    entry_price TEXT,
    PRIMARY KEY (trader_id, symbol)
);

-- Position changes. The unique key makes storing one twice (a restart, a gap fill over a stretch
-- already seen) a no-op.
CREATE TABLE trader_events (
    id            INTEGER PRIMARY KEY,
    trader_id     INTEGER NOT NULL REFERENCES traders(id),
    kind          TEXT    NOT NULL CHECK (kind IN ('OPEN', 'CLOSE', 'INCREASE', 'DECREASE', 'FLIP')),
    symbol        TEXT    NOT NULL,
    side          TEXT    NOT NULL CHECK (side IN ('long', 'short')),
    size          TEXT    NOT NULL,                         -- absolute size after
    previous_size TEXT    NOT NULL,                         -- signed size before
    entry_price   TEXT,
    time          INTEGER NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('poll', 'fills')),
    UNIQUE (trader_id, symbol, time, previous_size, size)
);
CREATE INDEX trader_events_by_trader ON trader_events(trader_id, id);

-- Fills read from userFillsByTime, once each (the venue's trade id), for volume and win rate.
CREATE TABLE trader_fills (
    trader_id  INTEGER NOT NULL REFERENCES traders(id),
    tid        INTEGER NOT NULL,
    symbol     TEXT    NOT NULL,
    side       TEXT    NOT NULL,                            -- B or A
    price      TEXT    NOT NULL,
    size       TEXT    NOT NULL,
    closed_pnl TEXT    NOT NULL,
    fee        TEXT    NOT NULL,
    time       INTEGER NOT NULL,
    PRIMARY KEY (trader_id, tid)
);

-- Account value history: a point when the value changed, at most one every 5 minutes a trader.
CREATE TABLE trader_values (
    trader_id     INTEGER NOT NULL REFERENCES traders(id),
    time          INTEGER NOT NULL,
    account_value TEXT    NOT NULL,
    margin_used   TEXT    NOT NULL,
    PRIMARY KEY (trader_id, time)
);
