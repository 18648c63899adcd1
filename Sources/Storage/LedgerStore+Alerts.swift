import ArenaCore
import Foundation
import GRDB

/// One alert sent (or not) to one webhook: a row of `alert_deliveries`.
public struct AlertDeliveryRecord: Sendable, Hashable {
    /// The row id; 0 before it is stored.
    public var id: Int64
    public var webhookID: Int64
    /// The webhook's URL masked: scheme, host and port only.
    public var webhook: String
    public var format: String
    public var eventKind: String
    public var accountID: AccountID?
    public var eventSeq: Int64?
    public var message: String
    /// `delivered`, `failed` or `rate_limited`.
    public var status: String
    public var attempts: Int
    public var httpStatus: Int?
    public var error: String?
    public var createdAt: Timestamp
    public var finishedAt: Timestamp

    public init(id: Int64 = 0, webhookID: Int64, webhook: String, format: String, eventKind: String, accountID: AccountID?,
                eventSeq: Int64?, message: String, status: String, attempts: Int, httpStatus: Int?, error: String?,
                createdAt: Timestamp, finishedAt: Timestamp) {
        self.id = id
        self.webhookID = webhookID
        self.webhook = webhook
        self.format = format
        self.eventKind = eventKind
        self.accountID = accountID
        self.eventSeq = eventSeq
        self.message = message
        self.status = status
        self.attempts = attempts
        self.httpStatus = httpStatus
        self.error = error
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

extension LedgerStore {
    /// Stores a finished delivery; returns its id.
    /// - Throws: A SQLite error; nothing is stored then.
    @discardableResult
    public func insertAlertDelivery(_ record: AlertDeliveryRecord) throws -> Int64 {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO alert_deliveries (webhook_id, webhook, format, event_kind, account_id, event_seq, message, status, attempts,
                                              http_status, error, created_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.webhookID, record.webhook, record.format, record.eventKind, record.accountID?.rawValue,
                                 record.eventSeq, record.message, record.status, record.attempts, record.httpStatus, record.error,
                                 record.createdAt.milliseconds, record.finishedAt.milliseconds])
            return db.lastInsertedRowID
        }
    }

    /// Deliveries newest first, at most `limit`, older than the id `before` if given, of one
    /// webhook if given.
    /// - Throws: A SQLite error.
    public func alertDeliveries(webhookID: Int64? = nil, before: Int64? = nil, limit: Int) throws -> [AlertDeliveryRecord] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let webhookID { conditions.append("webhook_id = ?"); arguments.append(webhookID) }
        if let before { conditions.append("id < ?"); arguments.append(before) }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(limit)
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert_deliveries \(filter) ORDER BY id DESC LIMIT ?",
                             arguments: StatementArguments(arguments)).map { row in
                AlertDeliveryRecord(
                    id: row["id"], webhookID: row["webhook_id"], webhook: row["webhook"], format: row["format"],
                    eventKind: row["event_kind"], accountID: (row["account_id"] as Int64?).map { AccountID($0) },
                    eventSeq: row["event_seq"], message: row["message"], status: row["status"], attempts: row["attempts"],
                    httpStatus: row["http_status"], error: row["error"], createdAt: Timestamp(milliseconds: row["created_at"]),
                    finishedAt: Timestamp(milliseconds: row["finished_at"]))
            }
        }
    }
}


/// An alert webhook added through the admin API, as stored: its URL only sealed (AES-256-GCM under
/// the master key), its masked form in the clear for display. A row of `alert_webhooks`.
public struct StoredAlertWebhookRecord: Sendable, Hashable {
    public var id: Int64
    public var format: String
    /// `scheme://host:port/…`: safe to show.
    public var maskedURL: String
    /// Telegram's chat (not a secret), or nil.
    public var chatID: String?
    public var urlNonce: [UInt8]
    /// The sealed URL followed by its 16-byte GCM tag.
    public var urlCiphertext: [UInt8]
    public var createdAt: Timestamp

    public init(id: Int64, format: String, maskedURL: String, chatID: String?, urlNonce: [UInt8], urlCiphertext: [UInt8],
                createdAt: Timestamp) {
        self.id = id
        self.format = format
        self.maskedURL = maskedURL
        self.chatID = chatID
        self.urlNonce = urlNonce
        self.urlCiphertext = urlCiphertext
        self.createdAt = createdAt
    }
}

extension LedgerStore {
    // MARK: Alert webhooks (sealed URLs only)

    /// Stores a webhook added through the API, in one transaction. `verifyCheck` runs first in it
    /// with the key check in force, so a server still holding a master key rotated away refuses.
    /// - Throws: `StorageError.conflict` if the id is taken, or what `verifyCheck` throws.
    public func insertAlertWebhook(_ record: StoredAlertWebhookRecord,
                                   verifyCheck: (CustodyCheckRecord?) throws -> Void) throws {
        try database.write { db in
            try verifyCheck(try Self.fetchCustodyCheck(db))
            guard try Int64.fetchOne(db, sql: "SELECT id FROM alert_webhooks WHERE id = ?", arguments: [record.id]) == nil else {
                throw StorageError.conflict("Alert webhook \(record.id) is already stored.")
            }
            try Self.writeAlertWebhook(db, record)
        }
    }

    /// Deletes a stored webhook; returns whether there was one. The freed space is zeroed.
    @discardableResult
    public func deleteAlertWebhook(id: Int64) throws -> Bool {
        try Self.withSecureDelete(database) { db in
            try db.execute(sql: "DELETE FROM alert_webhooks WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Every stored webhook, by id.
    public func storedAlertWebhooks() throws -> [StoredAlertWebhookRecord] {
        try database.read { db in try Self.fetchAlertWebhooks(db) }
    }

    /// The largest webhook id stored or named by a delivery (0 for none): ids go on from it, so an
    /// id is never given to two webhooks.
    public func largestAlertWebhookID() throws -> Int64 {
        try database.read { db in
            let delivered = try Int64.fetchOne(db, sql: "SELECT MAX(webhook_id) FROM alert_deliveries") ?? 0
            guard try db.tableExists("alert_webhooks") else { return delivered }
            return max(delivered, try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM alert_webhooks") ?? 0)
        }
    }

    /// Deletes deliveries created before `cutoff`, `batchSize` per transaction; returns how many went.
    public func pruneAlertDeliveries(before cutoff: Timestamp, batchSize: Int = 2_000) throws -> Int {
        var deleted = 0
        while true {
            let count = try database.write { db in
                try db.execute(sql: """
                    DELETE FROM alert_deliveries WHERE id IN (SELECT id FROM alert_deliveries WHERE created_at < ? ORDER BY id LIMIT ?)
                    """, arguments: [cutoff.milliseconds, batchSize])
                return db.changesCount
            }
            deleted += count
            if count < batchSize { return deleted }
        }
    }

    /// When the newest delivery was created, or nil when none is stored.
    public func newestAlertDeliveryTime() throws -> Timestamp? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(created_at) FROM alert_deliveries").map(Timestamp.init(milliseconds:))
        }
    }

    static func fetchAlertWebhooks(_ db: Database) throws -> [StoredAlertWebhookRecord] {
        // A database `arena keys rotate` opens without migrating may predate the table.
        guard try db.tableExists("alert_webhooks") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT * FROM alert_webhooks ORDER BY id").map { row in
            guard let nonce: Data = row["url_nonce"] else { throw StorageError.corruptValue(table: "alert_webhooks", column: "url_nonce") }
            guard let ciphertext: Data = row["url_ciphertext"] else {
                throw StorageError.corruptValue(table: "alert_webhooks", column: "url_ciphertext")
            }
            return StoredAlertWebhookRecord(id: row["id"], format: row["format"], maskedURL: row["masked_url"], chatID: row["chat_id"],
                                            urlNonce: [UInt8](nonce), urlCiphertext: [UInt8](ciphertext),
                                            createdAt: Timestamp(milliseconds: row["created_at"]))
        }
    }

    static func writeAlertWebhook(_ db: Database, _ record: StoredAlertWebhookRecord) throws {
        try db.execute(sql: """
            INSERT INTO alert_webhooks (id, format, masked_url, chat_id, url_nonce, url_ciphertext, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET url_nonce = excluded.url_nonce, url_ciphertext = excluded.url_ciphertext
            """, arguments: [record.id, record.format, record.maskedURL, record.chatID, Data(record.urlNonce), Data(record.urlCiphertext),
                             record.createdAt.milliseconds])
    }
}
