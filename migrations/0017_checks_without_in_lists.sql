-- migrator: foreign keys off
-- SQLite evaluates `x IN (a, b, c)` of three or more constants by building a temporary table, on
-- every statement that checks it: about 4 us per insert, as long as the rest of the insert. The
-- decisions table's outcome check and the partial index of unfinished orders are the ones checked
-- on every decision and every order; both become the same test written as comparisons joined by
-- OR. The decisions table is rebuilt (a CHECK cannot be altered in place) with the same columns
-- in the same order and the same rows; orders keep referring to it.
CREATE TABLE decisions_rebuilt (
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
    outcome            TEXT    NOT NULL CHECK (outcome = 'accepted' OR outcome = 'hold' OR outcome = 'rejected' OR outcome = 'failed'),
    rejection_reason   TEXT,
    prompt_tokens      INTEGER,
    completion_tokens  INTEGER,
    cost_usd           TEXT,
    latency_ms         INTEGER,
    prompt_deflated    BLOB,
    prompt_zstd        BLOB,
    prompt_base        INTEGER REFERENCES decisions(id)
);
INSERT INTO decisions_rebuilt SELECT * FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_rebuilt RENAME TO decisions;
CREATE INDEX decisions_by_account ON decisions(account_id, id);

-- Queries must write the condition the same way for SQLite to use the index.
DROP INDEX orders_not_final;
CREATE INDEX orders_not_final ON orders(account_id, status) WHERE status = 'pending' OR status = 'open' OR status = 'waiting_trigger';
