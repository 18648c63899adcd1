-- The tables of the arena's ledger. Money, prices, sizes and rates are TEXT holding exact
-- decimals (never REAL); times are INTEGER milliseconds since the epoch (UTC).

CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE,
    driver_kind      TEXT    NOT NULL,
    -- The driver's settings as JSON (provider, base URL, model, prompt template, interval, or a
    -- rule-based driver's parameters). Never holds a secret: those live in account_secrets.
    driver_settings  TEXT    NOT NULL DEFAULT '{}',
    provider         TEXT,
    model            TEXT,
    symbols          TEXT    NOT NULL,                       -- JSON array of symbols
    mode             TEXT    NOT NULL DEFAULT 'paper' CHECK (mode IN ('paper', 'live')),
    network          TEXT    NOT NULL DEFAULT 'testnet' CHECK (network IN ('testnet', 'mainnet')),
    initial_capital  TEXT    NOT NULL,
    risk_limits      TEXT    NOT NULL DEFAULT '{}',          -- JSON
    status           TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'halted', 'archived')),
    -- The paper ledger's USDC balance (deposits + realised PnL - fees + funding).
    cash             TEXT    NOT NULL,
    -- Running totals of the ledger, kept with the cash in the same transactions.
    realized_pnl     TEXT    NOT NULL DEFAULT '0',
    fees_paid        TEXT    NOT NULL DEFAULT '0',
    funding          TEXT    NOT NULL DEFAULT '0',
    fill_count       INTEGER NOT NULL DEFAULT 0,
    -- Persisted state of a stateful driver (JSON), so that a restart resumes it exactly.
    driver_state     TEXT,
    -- The last client order sequence used, so that cloids are never reused.
    order_sequence   INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- Secrets, only ever encrypted (AES-256-GCM under the master key, account id as associated data).
CREATE TABLE account_secrets (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT    NOT NULL,
    nonce       BLOB    NOT NULL,
    ciphertext  BLOB    NOT NULL,
    -- Public part where one exists (a wallet's address), so the API can show it.
    public_hint TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE decisions (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts(id),
    time               INTEGER NOT NULL,
    driver_kind        TEXT    NOT NULL,
    provider           TEXT,
    model              TEXT,
    prompt             TEXT,
    raw_response       TEXT,
    reasoning          TEXT,
    parsed_decision    TEXT,                                 -- JSON
    -- accepted: orders were sent; hold: nothing to do; rejected: validation or risk refused it;
    -- failed: the driver could not produce a decision (transport, parse).
    outcome            TEXT    NOT NULL CHECK (outcome IN ('accepted', 'hold', 'rejected', 'failed')),
    rejection_reason   TEXT,
    prompt_tokens      INTEGER,
    completion_tokens  INTEGER,
    cost_usd           TEXT,
    latency_ms         INTEGER
);
CREATE INDEX decisions_by_account ON decisions(account_id, id);

CREATE TABLE orders (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL REFERENCES accounts(id),
    decision_id         INTEGER REFERENCES decisions(id),
    cloid               TEXT    NOT NULL UNIQUE,
    venue_order_id      INTEGER,
    mode                TEXT    NOT NULL CHECK (mode IN ('paper', 'live')),
    origin              TEXT    NOT NULL,
    symbol              TEXT    NOT NULL,
    side                TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
    type                TEXT    NOT NULL,
    tif                 TEXT,
    reduce_only         INTEGER NOT NULL DEFAULT 0,
    price               TEXT,
    trigger_price       TEXT,
    size                TEXT    NOT NULL,
    filled_size         TEXT    NOT NULL DEFAULT '0',
    average_fill_price  TEXT,
    mid_at_submission   TEXT,
    -- Average fill against the mid at submission, in basis points; positive is worse for us.
    slippage            TEXT,
    fee                 TEXT    NOT NULL DEFAULT '0',
    status              TEXT    NOT NULL,
    rejection_reason    TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX orders_by_account ON orders(account_id, id);

CREATE TABLE fills (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    order_id        INTEGER NOT NULL REFERENCES orders(id),
    symbol          TEXT    NOT NULL,
    side            TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
    price           TEXT    NOT NULL,
    size            TEXT    NOT NULL,
    fee             TEXT    NOT NULL,
    liquidity       TEXT    NOT NULL CHECK (liquidity IN ('maker', 'taker')),
    realized_pnl    TEXT    NOT NULL DEFAULT '0',
    is_liquidation  INTEGER NOT NULL DEFAULT 0,
    time            INTEGER NOT NULL
);
CREATE INDEX fills_by_account ON fills(account_id, id);

CREATE TABLE funding_payments (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    symbol         TEXT    NOT NULL,
    rate           TEXT    NOT NULL,
    position_size  TEXT    NOT NULL,
    price          TEXT    NOT NULL,
    amount         TEXT    NOT NULL,
    time           INTEGER NOT NULL
);
CREATE INDEX funding_by_account ON funding_payments(account_id, id);

CREATE TABLE positions (
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    symbol       TEXT    NOT NULL,
    size         TEXT    NOT NULL,
    entry_price  TEXT    NOT NULL,
    leverage     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, symbol)
);

-- The equity curve.
CREATE TABLE account_snapshots (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    time            INTEGER NOT NULL,
    equity          TEXT    NOT NULL,
    cash            TEXT    NOT NULL,
    unrealized_pnl  TEXT    NOT NULL,
    margin_used     TEXT    NOT NULL
);
CREATE INDEX snapshots_by_account_time ON account_snapshots(account_id, time);

-- The feed, replayable from any seq.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    type        TEXT    NOT NULL,
    account_id  INTEGER,
    time        INTEGER NOT NULL,
    payload     TEXT    NOT NULL                             -- the whole message as JSON
);
