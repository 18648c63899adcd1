-- Which master key this database's secrets belong to, recorded even before the first secret, so
-- that starting arena with another key is a clear error instead of unreadable secrets.
-- One row at most. The check is a known marker sealed with AES-256-GCM under the master key:
-- only the right key opens it. The fingerprint (a hash of the key, never the key) names the key
-- in messages so an operator can tell key files apart.
CREATE TABLE custody (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    key_fingerprint  TEXT    NOT NULL,
    check_nonce      BLOB    NOT NULL,
    check_ciphertext BLOB    NOT NULL,
    created_at       INTEGER NOT NULL,
    rotated_at       INTEGER
);
