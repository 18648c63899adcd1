import ArenaCore
import Foundation
import GRDB

/// How a request to the venue ended, as the audit files it.
public enum VenueAuditOutcome: String, Sendable, Hashable, CaseIterable, Codable {
    /// Answered 200, and the venue did not refuse the action.
    case ok
    /// Answered 200 with `"status": "err"`: the venue refused the whole action.
    case err
    /// Answered with another HTTP status.
    case httpError = "http_error"
    /// No answer came (refused connection, time-out, lost connection).
    case noAnswer = "no_answer"
}

/// One row of the venue audit: one attempt of one request to the venue and its answer.
public struct VenueAuditRecord: Sendable, Hashable {
    /// The row id, the cursor of pages; 0 before it is stored.
    public var id: Int64
    /// The account the request was made for; nil for requests of no account.
    public var accountID: AccountID?
    /// When the attempt started.
    public var time: Timestamp
    /// `mainnet` or `testnet`.
    public var network: String
    /// `info` or `exchange`.
    public var endpoint: String
    /// The action's or info request's type.
    public var action: String?
    /// The client order ids the request names.
    public var clientOrderIDs: [String]
    /// The signed request's nonce.
    public var nonce: UInt64?
    /// The lowercase address of the signing key.
    public var signer: String?
    /// The vault or subaccount acted for.
    public var vault: String?
    /// `0x` keccak-256 of the signature's r ‖ s ‖ v, never the signature.
    public var signatureHash: String?
    /// 1 for a call's first attempt.
    public var attempt: Int
    /// Milliseconds to the answer or the failure.
    public var latencyMilliseconds: Int64
    /// The answer's HTTP status; nil when none came.
    public var httpStatus: Int?
    /// `ok` or `err` for exchange answers.
    public var venueStatus: String?
    /// How it ended.
    public var outcome: VenueAuditOutcome
    /// The venue's or the transport's words about a failure.
    public var error: String?

    /// Creates a record.
    public init(id: Int64 = 0, accountID: AccountID?, time: Timestamp, network: String, endpoint: String, action: String?,
                clientOrderIDs: [String], nonce: UInt64?, signer: String?, vault: String?, signatureHash: String?, attempt: Int,
                latencyMilliseconds: Int64, httpStatus: Int?, venueStatus: String?, outcome: VenueAuditOutcome, error: String?) {
        self.id = id
        self.accountID = accountID
        self.time = time
        self.network = network
        self.endpoint = endpoint
        self.action = action
        self.clientOrderIDs = clientOrderIDs
        self.nonce = nonce
        self.signer = signer
        self.vault = vault
        self.signatureHash = signatureHash
        self.attempt = attempt
        self.latencyMilliseconds = latencyMilliseconds
        self.httpStatus = httpStatus
        self.venueStatus = venueStatus
        self.outcome = outcome
        self.error = error
    }
}

/// Which audit rows to read: all conditions hold together; newest first, at most `limit`.
public struct VenueAuditFilter: Sendable, Hashable {
    /// A status to match: an outcome, or an exact HTTP status.
    public enum Status: Sendable, Hashable {
        /// Rows that ended so.
        case outcome(VenueAuditOutcome)
        /// Rows answered with this HTTP status.
        case http(Int)
    }

    /// Rows at or after this time.
    public var from: Timestamp?
    /// Rows at or before this time.
    public var to: Timestamp?
    /// Rows of this action or info type.
    public var action: String?
    /// Rows with this status.
    public var status: Status?
    /// Rows with an id below this one (the previous page's `next_before`).
    public var before: Int64?
    /// The most rows returned.
    public var limit: Int

    /// Creates a filter.
    public init(from: Timestamp? = nil, to: Timestamp? = nil, action: String? = nil, status: Status? = nil, before: Int64? = nil,
                limit: Int = 100) {
        self.from = from
        self.to = to
        self.action = action
        self.status = status
        self.before = before
        self.limit = limit
    }
}

/// Whether an identity may only read or also change things.
public enum AdminRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every admin endpoint.
    case admin
    /// Only the admin API's reads (GET), for dashboards.
    case read
}

/// One request to a mutating admin route, with who made it and what it got.
public struct AdminActionRecord: Sendable, Hashable {
    /// The row id; 0 before it is stored.
    public var id: Int64
    /// When the request arrived.
    public var time: Timestamp
    /// The name of the token that made it.
    public var identity: String
    /// That token's role.
    public var role: AdminRole
    /// `POST`, `PATCH`, `DELETE`, ...
    public var method: String
    /// The route's pattern, such as `/api/accounts/{id}/mode`.
    public var route: String
    /// The account the route names, if any.
    public var accountID: AccountID?
    /// The HTTP status answered.
    public var status: Int

    /// Creates a record.
    public init(id: Int64 = 0, time: Timestamp, identity: String, role: AdminRole, method: String, route: String, accountID: AccountID?,
                status: Int) {
        self.id = id
        self.time = time
        self.identity = identity
        self.role = role
        self.method = method
        self.route = route
        self.accountID = accountID
        self.status = status
    }
}

extension LedgerStore {
    /// An account's audit rows matching `filter`, newest first.
    public func venueAudit(of id: AccountID, filter: VenueAuditFilter) throws -> [VenueAuditRecord] {
        var conditions = ["account_id = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [id.rawValue]
        if let from = filter.from {
            conditions.append("time >= ?")
            arguments.append(from.milliseconds)
        }
        if let to = filter.to {
            conditions.append("time <= ?")
            arguments.append(to.milliseconds)
        }
        if let action = filter.action {
            conditions.append("action = ?")
            arguments.append(action)
        }
        switch filter.status {
        case .outcome(let outcome)?:
            conditions.append("outcome = ?")
            arguments.append(outcome.rawValue)
        case .http(let status)?:
            conditions.append("http_status = ?")
            arguments.append(status)
        case nil:
            break
        }
        if let before = filter.before {
            conditions.append("id < ?")
            arguments.append(before)
        }
        arguments.append(max(0, filter.limit))
        let sql = "SELECT * FROM venue_audit WHERE " + conditions.joined(separator: " AND ") + " ORDER BY id DESC LIMIT ?"
        return try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.venueAuditRecord(from:))
        }
    }

    /// Every audit row of every account, oldest first (operations and tests).
    public func allVenueAudit() throws -> [VenueAuditRecord] {
        try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM venue_audit ORDER BY id").map(Self.venueAuditRecord(from:)) }
    }

    /// Deletes audit rows older than `cutoff`, a batch per transaction so writers never wait
    /// long, and returns how many went.
    public func pruneVenueAudit(before cutoff: Timestamp, batchSize: Int = 5_000) throws -> Int {
        var deleted = 0
        while true {
            let count = try database.write { db in
                try db.execute(sql: "DELETE FROM venue_audit WHERE id IN (SELECT id FROM venue_audit WHERE time < ? LIMIT ?)",
                               arguments: [cutoff.milliseconds, batchSize])
                return db.changesCount
            }
            deleted += count
            if count < batchSize { return deleted }
        }
    }

    /// The newest admin actions, newest first.
    public func adminActions(limit: Int) throws -> [AdminActionRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM admin_actions ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                guard let role = AdminRole(rawValue: row["role"]) else { throw StorageError.corruptValue(table: "admin_actions", column: "role") }
                return AdminActionRecord(id: row["id"], time: Timestamp(milliseconds: row["time"]), identity: row["identity"], role: role,
                                         method: row["method"], route: row["route"],
                                         accountID: (row["account_id"] as Int64?).map(AccountID.init), status: row["status"])
            }
        }
    }

    static func venueAuditRecord(from row: Row) throws -> VenueAuditRecord {
        guard let outcome = VenueAuditOutcome(rawValue: row["outcome"]) else {
            throw StorageError.corruptValue(table: "venue_audit", column: "outcome")
        }
        let idsText: String = row["client_order_ids"] ?? "[]"
        guard let clientOrderIDs = try? JSONDecoder().decode([String].self, from: Data(idsText.utf8)) else {
            throw StorageError.corruptValue(table: "venue_audit", column: "client_order_ids")
        }
        return VenueAuditRecord(
            id: row["id"], accountID: (row["account_id"] as Int64?).map(AccountID.init), time: Timestamp(milliseconds: row["time"]),
            network: row["network"], endpoint: row["endpoint"], action: row["action"], clientOrderIDs: clientOrderIDs,
            nonce: (row["nonce"] as Int64?).map { UInt64(bitPattern: $0) }, signer: row["signer"], vault: row["vault"],
            signatureHash: row["signature_hash"], attempt: row["attempt"], latencyMilliseconds: row["latency_ms"],
            httpStatus: row["http_status"], venueStatus: row["venue_status"], outcome: outcome, error: row["error"])
    }
}
