-- Every switch of an account between paper and live, and every refused one: who, when, from, to,
-- and the preflight's result.
CREATE TABLE mode_changes (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    time          INTEGER NOT NULL,
    actor         TEXT    NOT NULL,
    from_mode     TEXT    NOT NULL,
    to_mode       TEXT    NOT NULL,
    network       TEXT    NOT NULL,
    outcome       TEXT    NOT NULL CHECK (outcome IN ('switched', 'refused')),
    preflight     TEXT    NOT NULL,                          -- JSON: each check with its result
    reason        TEXT
);
CREATE INDEX mode_changes_by_account ON mode_changes(account_id, id);
