import ArenaCore
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

extension LedgerStore {
    /// The largest webhook id any stored delivery names (0 for none).
    /// - Throws: A SQLite error.
    public func largestAlertWebhookID() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(webhook_id) FROM alert_deliveries") ?? 0 }
    }
}
