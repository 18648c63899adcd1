import ArenaCore
import Foundation
import GRDB

/// An account's risk state that outlives the process: the daily-loss baseline and the
/// high-water mark the drawdown limit measures from.
public struct StoredRiskState: Sendable, Hashable {
    /// The UTC day (epoch milliseconds / 86 400 000, market time) the baseline belongs to.
    public var day: Int64?
    /// The equity when that day was first seen.
    public var dayStartEquity: FixedDecimal?
    /// The highest equity since the account started or was last resumed.
    public var highWaterMark: FixedDecimal?
    /// The UTC day the daily loss limit was reached, until the next day lifts it.
    public var dailyLossDay: Int64?

    public init(day: Int64?, dayStartEquity: FixedDecimal?, highWaterMark: FixedDecimal?, dailyLossDay: Int64? = nil) {
        self.day = day
        self.dayStartEquity = dayStartEquity
        self.highWaterMark = highWaterMark
        self.dailyLossDay = dailyLossDay
    }
}

/// What a risk event was: an account halted, paused, resumed or archived, its daily loss limit
/// reached or lifted by a new day, or the arena-wide kill switch engaged or released.
public enum RiskEventAction: String, Sendable, Hashable, CaseIterable, Codable {
    case halt, pause, resume, archive
    case dailyLossHalt = "daily_loss_halt"
    case dailyLossCleared = "daily_loss_cleared"
    case killSwitchEngaged = "kill_switch_engaged"
    case killSwitchReleased = "kill_switch_released"
}

/// One stored halt, pause, resume or kill-switch change: who did it and why.
public struct RiskEventRecord: Sendable, Hashable {
    /// The row id; 0 before it is stored.
    public var id: Int64
    /// The account; nil for the arena-wide kill switch.
    public var accountID: AccountID?
    public var time: Timestamp
    public var action: RiskEventAction
    /// The admin token's name, or `system` / `risk` for what the arena did by itself.
    public var actor: String
    public var reason: String
    /// The account's equity then; nil for the kill switch.
    public var equity: FixedDecimal?

    public init(id: Int64 = 0, accountID: AccountID?, time: Timestamp, action: RiskEventAction, actor: String, reason: String,
                equity: FixedDecimal?) {
        self.id = id
        self.accountID = accountID
        self.time = time
        self.action = action
        self.actor = actor
        self.reason = reason
        self.equity = equity
    }
}

/// The engaged kill switch as stored.
public struct StoredKillSwitch: Sendable, Hashable {
    public var reason: String
    public var actor: String
    public var engagedAt: Timestamp

    public init(reason: String, actor: String, engagedAt: Timestamp) {
        self.reason = reason
        self.actor = actor
        self.engagedAt = engagedAt
    }
}

extension LedgerTransaction {
    /// Replaces an account's stored risk state.
    public func saveRiskState(_ state: StoredRiskState, for id: AccountID, now: Timestamp) throws {
        try db.cachedStatement(sql: """
            INSERT INTO risk_state (account_id, day, day_start_equity, high_water_mark, daily_loss_day, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (account_id) DO UPDATE SET day = excluded.day, day_start_equity = excluded.day_start_equity,
                high_water_mark = excluded.high_water_mark, daily_loss_day = excluded.daily_loss_day, updated_at = excluded.updated_at
            """).execute(arguments: [id.rawValue, state.day, state.dayStartEquity?.description, state.highWaterMark?.description,
                                     state.dailyLossDay, now.milliseconds])
    }

    /// Appends one risk event.
    public func insertRiskEvent(_ event: RiskEventRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO risk_events (account_id, time, action, actor, reason, equity) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [event.accountID?.rawValue, event.time.milliseconds, event.action.rawValue, event.actor,
                                     event.reason, event.equity?.description])
    }

    /// Stores the kill switch as engaged (nil: released).
    public func saveKillSwitch(_ state: StoredKillSwitch?) throws {
        try db.execute(sql: "DELETE FROM kill_switch")
        guard let state else { return }
        try db.execute(sql: "INSERT INTO kill_switch (id, reason, actor, engaged_at) VALUES (1, ?, ?, ?)",
                       arguments: [state.reason, state.actor, state.engagedAt.milliseconds])
    }
}

extension LedgerStore {
    /// An account's stored risk state; nil when none was stored yet.
    /// - Throws: `StorageError.corruptValue` for an unreadable amount, or a SQLite error.
    public func riskState(of id: AccountID) throws -> StoredRiskState? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT day, day_start_equity, high_water_mark, daily_loss_day FROM risk_state WHERE account_id = ?",
                                             arguments: [id.rawValue]) else { return nil }
            func amount(_ column: String) throws -> FixedDecimal? {
                guard let text = row[column] as String? else { return nil }
                guard let value = FixedDecimal(text) else { throw StorageError.corruptValue(table: "risk_state", column: column) }
                return value
            }
            return StoredRiskState(day: row["day"], dayStartEquity: try amount("day_start_equity"),
                                   highWaterMark: try amount("high_water_mark"), dailyLossDay: row["daily_loss_day"])
        }
    }

    /// The kill switch as stored; nil when released.
    public func killSwitch() throws -> StoredKillSwitch? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT reason, actor, engaged_at FROM kill_switch WHERE id = 1").map {
                StoredKillSwitch(reason: $0["reason"], actor: $0["actor"], engagedAt: Timestamp(milliseconds: $0["engaged_at"]))
            }
        }
    }

    /// Risk events older than `before` (a row id), newest first: an account's, or the kill
    /// switch's when `accountID` is nil.
    public func riskEvents(of accountID: AccountID?, before: Int64?, limit: Int) throws -> [RiskEventRecord] {
        var sql = "SELECT * FROM risk_events WHERE " + (accountID == nil ? "account_id IS NULL" : "account_id = ?")
        var arguments: [(any DatabaseValueConvertible)?] = accountID.map { [$0.rawValue] } ?? []
        if let before {
            sql += " AND id < ?"
            arguments.append(before)
        }
        sql += " ORDER BY id DESC LIMIT ?"
        arguments.append(max(0, limit))
        return try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                guard let action = RiskEventAction(rawValue: row["action"]) else {
                    throw StorageError.corruptValue(table: "risk_events", column: "action")
                }
                var equity: FixedDecimal?
                if let text = row["equity"] as String? {
                    guard let value = FixedDecimal(text) else { throw StorageError.corruptValue(table: "risk_events", column: "equity") }
                    equity = value
                }
                return RiskEventRecord(id: row["id"], accountID: (row["account_id"] as Int64?).map(AccountID.init), time: Timestamp(milliseconds: row["time"]),
                                       action: action, actor: row["actor"], reason: row["reason"], equity: equity)
            }
        }
    }
}
