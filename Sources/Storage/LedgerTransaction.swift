import ArenaCore
import Foundation
import GRDB
import JSONCore

/// The writes of one ledger transaction: every change the runtime makes, and the feed messages
/// that report it, go through one of these, so they commit or roll back together.
///
/// Valid only inside the `LedgerWriter.transaction` call that hands it out, like GRDB's `Database`.
public struct LedgerTransaction {
    let db: Database
    /// The database's prompt keyframes, for the decisions stored in it.
    let promptKeyframes: PromptKeyframes

    init(_ db: Database, of database: ArenaDatabase) {
        self.db = db
        promptKeyframes = database.promptKeyframes
    }

    /// Stores one driver call and returns its id.
    public func insertDecision(_ record: DecisionRecord) throws -> Int64 {
        try LedgerStore.insertDecision(db, record, keyframes: promptKeyframes)
    }

    /// Stores what executor calls changed (orders, fills, funding, positions, cash, totals).
    public func writeExecutions(_ records: [ExecutionRecord]) throws {
        try LedgerStore.writeExecutions(db, records)
    }

    /// Sets an account's status.
    public func setStatus(_ status: AccountStatus, for id: AccountID, now: Timestamp) throws {
        try db.cachedStatement(sql: "UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?")
            .execute(arguments: [status.rawValue, now.milliseconds, id.rawValue])
    }

    /// Saves a driver's state, so a restart resumes it.
    public func saveDriverState(_ state: String?, for id: AccountID, now: Timestamp) throws {
        try LedgerStatement(db, sql: "UPDATE accounts SET driver_state = ?, updated_at = ? WHERE id = ?").run { values in
            values.add(state)
            values.add(now.milliseconds)
            values.add(id.rawValue)
        }
    }

    /// Appends equity points and replaces the accounts' metrics.
    public func insertSnapshots(_ snapshots: [SnapshotRecord], metrics: [AccountID: String], now: Timestamp) throws {
        let insert = try LedgerStatement(db, sql: """
            INSERT INTO account_snapshots (account_id, time, equity, cash, unrealized_pnl, margin_used) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for snapshot in snapshots {
            try insert.run { values in
                values.add(snapshot.accountID.rawValue)
                values.add(snapshot.time.milliseconds)
                values.add(snapshot.equity)
                values.add(snapshot.cash)
                values.add(snapshot.unrealizedPnl)
                values.add(snapshot.marginUsed)
            }
        }
        guard !metrics.isEmpty else { return }
        let upsert = try LedgerStatement(db, sql: """
            INSERT INTO account_metrics (account_id, metrics, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (account_id) DO UPDATE SET metrics = excluded.metrics, updated_at = excluded.updated_at
            """)
        for (account, json) in metrics.sorted(by: { $0.key < $1.key }) {
            try upsert.run { values in
                values.add(account.rawValue)
                values.add(json)
                values.add(now.milliseconds)
            }
        }
    }

    /// Records a mode switch attempt and, when it switched, the account's new mode and network.
    public func recordModeChange(_ change: ModeChangeRecord) throws {
        try db.execute(sql: """
            INSERT INTO mode_changes (account_id, time, actor, from_mode, to_mode, network, outcome, preflight, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [change.accountID.rawValue, change.time.milliseconds, change.actor, change.from.rawValue,
                             change.to.rawValue, change.network.rawValue, change.switched ? "switched" : "refused",
                             change.preflight, change.reason])
        if change.switched {
            try db.execute(sql: "UPDATE accounts SET mode = ?, network = ?, updated_at = ? WHERE id = ?",
                           arguments: [change.to.rawValue, change.network.rawValue, change.time.milliseconds, change.accountID.rawValue])
        }
    }

    /// Appends feed messages whose seqs the caller assigned.
    public func appendFeedMessages(_ messages: [FeedMessage]) throws {
        guard !messages.isEmpty else { return }
        let statement = try LedgerStatement(db, sql: "INSERT INTO events (seq, type, account_id, symbol, time, payload) VALUES (?, ?, ?, ?, ?, ?)")
        for message in messages {
            try statement.run { values in
                values.add(message.seq)
                values.add(message.topic.rawValue)
                values.add(message.accountID?.rawValue)
                values.add(message.symbol?.name)
                values.add(message.time.milliseconds)
                values.add(message.json)
            }
        }
    }

    /// Appends one venue audit row.
    public func insertVenueAudit(_ record: VenueAuditRecord) throws {
        let ids = try JSONTextEncoder().encode(record.clientOrderIDs)
        try db.cachedStatement(sql: """
            INSERT INTO venue_audit (account_id, time, network, endpoint, action, client_order_ids, nonce, signer, vault,
                                     signature_hash, attempt, latency_ms, http_status, venue_status, outcome, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                record.accountID?.rawValue, record.time.milliseconds, record.network, record.endpoint, record.action, ids,
                record.nonce.map { Int64(bitPattern: $0) }, record.signer, record.vault, record.signatureHash, record.attempt,
                record.latencyMilliseconds, record.httpStatus, record.venueStatus, record.outcome.rawValue, record.error])
    }

    /// Appends one admin action row.
    public func insertAdminAction(_ record: AdminActionRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO admin_actions (time, identity, role, method, route, account_id, status) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [record.time.milliseconds, record.identity, record.role.rawValue, record.method, record.route,
                                     record.accountID?.rawValue, record.status])
    }
}
