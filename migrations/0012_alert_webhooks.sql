-- Alert webhooks added through the admin API (POST /api/alerts/webhooks), so they outlive a restart.
-- A webhook's URL can hold a token (Slack's path, Telegram's bot token), so it is stored only sealed
-- under the master key (AES-256-GCM, bound to the webhook's id), like the accounts' secrets, and
-- re-sealed with them by arena keys rotate in the same transaction. Only the masked URL (scheme,
-- host, port) is in the clear. The roster's webhooks are read from the roster at each start, never here.
CREATE TABLE alert_webhooks (
    id             INTEGER PRIMARY KEY,                      -- the id deliveries and the API name it by
    format         TEXT    NOT NULL CHECK (format IN ('generic', 'slack', 'discord', 'telegram')),
    masked_url     TEXT    NOT NULL,                         -- scheme://host:port/…, for display
    chat_id        TEXT,                                     -- Telegram's chat (not a secret: the bot token is)
    url_nonce      BLOB    NOT NULL,                         -- AES-256-GCM nonce of the sealed URL
    url_ciphertext BLOB    NOT NULL,                         -- the sealed URL with its 16-byte tag
    created_at     INTEGER NOT NULL                          -- epoch ms, wall clock
);

-- The upkeep prunes deliveries older than the retention window by this.
CREATE INDEX alert_deliveries_by_time ON alert_deliveries(created_at);
