-- Every alert sent to a webhook and how it ended: one row per delivery (an event to one webhook),
-- written when the delivery is done (delivered after its retries, failed, or rate-limited).
-- The webhook's URL can hold a token (Slack, Telegram), so only its masked form is kept; the
-- webhooks themselves live in the roster or the server's memory, never here.
CREATE TABLE alert_deliveries (
    id          INTEGER PRIMARY KEY,
    webhook_id  INTEGER NOT NULL,
    webhook     TEXT    NOT NULL,                            -- the masked URL: scheme, host, port
    format      TEXT    NOT NULL CHECK (format IN ('generic', 'slack', 'discord', 'telegram')),
    event_kind  TEXT    NOT NULL,                            -- halted, kill_switch, liquidation, mode_change, ...
    account_id  INTEGER,
    event_seq   INTEGER,                                     -- the feed message that raised it, if one
    message     TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('delivered', 'failed', 'rate_limited')),
    attempts    INTEGER NOT NULL,
    http_status INTEGER,                                     -- of the last attempt; NULL when none answered
    error       TEXT,                                        -- why the last attempt failed
    created_at  INTEGER NOT NULL,                            -- epoch ms, wall clock
    finished_at INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_by_webhook ON alert_deliveries(webhook_id, id);
