-- The venue audit trail: every request sent to Hyperliquid and its answer, one row per attempt.
-- Never a key or a body; the signature only as a hash. Kept for `arena serve
-- --audit-retention-days` days (rows older are pruned), so it has no foreign key to `accounts`
-- that pruning or archiving could trip over; account_id is NULL for requests of no account.
CREATE TABLE venue_audit (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER,
    time             INTEGER NOT NULL,                       -- epoch ms when the attempt started
    network          TEXT    NOT NULL,                       -- mainnet or testnet
    endpoint         TEXT    NOT NULL,                       -- info or exchange
    action           TEXT,                                   -- the action's or info request's type
    client_order_ids TEXT    NOT NULL DEFAULT '[]',          -- JSON array of 0x cloids
    nonce            INTEGER,
    signer           TEXT,                                   -- lowercase address of the signing key
    vault            TEXT,
    signature_hash   TEXT,                                   -- 0x keccak-256 of r || s || v
    attempt          INTEGER NOT NULL,
    latency_ms       INTEGER NOT NULL,
    http_status      INTEGER,                                -- NULL when no answer came
    venue_status     TEXT,                                   -- ok or err (exchange answers)
    outcome          TEXT    NOT NULL CHECK (outcome IN ('ok', 'err', 'http_error', 'no_answer')),
    error            TEXT                                    -- the venue's words, or the transport's
);
CREATE INDEX venue_audit_by_account ON venue_audit(account_id, id);
CREATE INDEX venue_audit_by_time ON venue_audit(time);

-- Every request to a mutating admin route by a known token: who (the token's name), what (method
-- and route pattern), on which account, when, and the HTTP status it got.
CREATE TABLE admin_actions (
    id          INTEGER PRIMARY KEY,
    time        INTEGER NOT NULL,                            -- epoch ms
    identity    TEXT    NOT NULL,                            -- the token's name, never the token
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'read')),
    method      TEXT    NOT NULL,
    route       TEXT    NOT NULL,                            -- the pattern, as /api/accounts/{id}/mode
    account_id  INTEGER,
    status      INTEGER NOT NULL                             -- the HTTP status answered
);
CREATE INDEX admin_actions_by_time ON admin_actions(time);
