-- The risk state that must outlive the process, written in the transaction of the change that
-- sets it and read back when the arena starts.

-- Per account: the daily-loss baseline of one UTC day (market time) and the high-water mark the
-- drawdown limit measures from. Resuming a halted account sets the mark to the equity then.
CREATE TABLE risk_state (
    account_id       INTEGER PRIMARY KEY REFERENCES accounts(id),
    day              INTEGER,                                -- UTC day number (epoch ms / 86400000) of the baseline
    day_start_equity TEXT,                                   -- equity when that day was first seen
    high_water_mark  TEXT,                                   -- NULL until the first equity is seen
    daily_loss_day   INTEGER,                                -- the day the daily loss limit was reached, until the next day
    updated_at       INTEGER NOT NULL                        -- epoch ms (market time)
);

-- The arena-wide kill switch: one row while engaged, none while released.
CREATE TABLE kill_switch (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    reason     TEXT    NOT NULL,
    actor      TEXT    NOT NULL,                             -- the admin token's name, or system
    engaged_at INTEGER NOT NULL                              -- epoch ms
);

-- Every halt (drawdown, daily loss), pause, resume and kill-switch change: who (a token's name, or system / risk for
-- automatic ones), why, and the equity then. account_id is NULL for the arena-wide kill switch.
CREATE TABLE risk_events (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER REFERENCES accounts(id),
    time        INTEGER NOT NULL,                            -- epoch ms (market time)
    action      TEXT    NOT NULL CHECK (action IN ('halt', 'pause', 'resume', 'archive',
                                                   'daily_loss_halt', 'daily_loss_cleared',
                                                   'kill_switch_engaged', 'kill_switch_released')),
    actor       TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    equity      TEXT                                         -- the account's equity then; NULL for the kill switch
);
CREATE INDEX risk_events_by_account ON risk_events(account_id, id);
