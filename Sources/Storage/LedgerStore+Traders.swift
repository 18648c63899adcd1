import ArenaCore
import GRDB

/// Reads of the tracked traders, their positions and events.
extension LedgerStore {
    /// Every trader (only the active or inactive ones when `active` says), by id.
    /// - Throws: `StorageError.corruptValue` for an unreadable row, or a SQLite error.
    public func traders(active: Bool? = nil) throws -> [TraderRecord] {
        try database.read { db in
            let filter = active.map { "WHERE active = \($0 ? 1 : 0)" } ?? ""
            return try Row.fetchAll(db, sql: "SELECT * FROM traders \(filter) ORDER BY id").map(Self.trader(from:))
        }
    }

    /// The trader with `id`, or nil.
    public func trader(id: Int64) throws -> TraderRecord? {
        try database.read { db in try Self.fetchTrader(db, id: id) }
    }

    /// The trader at `address` (lowercase), or nil.
    public func trader(address: String) throws -> TraderRecord? {
        try database.read { db in try Self.fetchTrader(db, address: address) }
    }

    /// The open positions of every trader (of `ids` when given), by trader id, by coin.
    public func traderPositions(of ids: [Int64]? = nil) throws -> [Int64: [TraderPositionRecord]] {
        try database.read { db in
            var positions: [Int64: [TraderPositionRecord]] = [:]
            let filter = ids.map { "WHERE trader_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            for row in try Row.fetchAll(db, sql: "SELECT * FROM trader_positions \(filter) ORDER BY trader_id, symbol") {
                guard let symbol = Symbol(row["symbol"] as String), let size = FixedDecimal(row["size"] as String) else {
                    throw StorageError.corruptValue(table: "trader_positions", column: "size")
                }
                let entry = (row["entry_price"] as String?).flatMap(FixedDecimal.init)
                positions[row["trader_id"], default: []].append(TraderPositionRecord(symbol: symbol, size: size, entryPrice: entry))
            }
            return positions
        }
    }

    /// Events of a trader, newest first, at most `limit`, older than the id `before` if given.
    public func traderEvents(of traderID: Int64, before: Int64? = nil, limit: Int) throws -> [TraderEventRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.*, t.address FROM trader_events e JOIN traders t ON t.id = e.trader_id
                WHERE e.trader_id = ? AND e.id < ? ORDER BY e.id DESC LIMIT ?
                """, arguments: [traderID, before ?? Int64.max, limit]).map(Self.traderEvent(from:))
        }
    }

    /// The ids of the active copy accounts following each address (lowercase), by address.
    public func copyFollowers() throws -> [String: [Int64]] {
        try database.read { db in
            var followers: [String: [Int64]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT id, lower(json_extract(driver_settings, '$.trader')) AS trader FROM accounts
                WHERE driver_kind = 'copy' AND status != 'archived' AND json_valid(driver_settings) ORDER BY id
                """) {
                guard let trader: String = row["trader"] else { continue }
                followers[trader, default: []].append(row["id"])
            }
            return followers
        }
    }

    static func fetchTrader(_ db: Database, id: Int64) throws -> TraderRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM traders WHERE id = ?", arguments: [id]).map(trader(from:))
    }

    static func fetchTrader(_ db: Database, address: String) throws -> TraderRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM traders WHERE address = ?", arguments: [address]).map(trader(from:))
    }

    static func trader(from row: Row) throws -> TraderRecord {
        func decimal(_ column: String) throws -> FixedDecimal? {
            guard let text: String = row[column] else { return nil }
            guard let value = FixedDecimal(text) else { throw StorageError.corruptValue(table: "traders", column: column) }
            return value
        }
        guard let source = TraderSource(rawValue: row["source"]) else { throw StorageError.corruptValue(table: "traders", column: "source") }
        return TraderRecord(
            id: row["id"], address: row["address"], source: source, active: row["active"], deactivatedReason: row["deactivated_reason"],
            firstSeen: Timestamp(milliseconds: row["first_seen"]), lastTracked: (row["last_tracked"] as Int64?).map { Timestamp(milliseconds: $0) },
            accountValue: try decimal("account_value"), firstValue: try decimal("first_value"), peakValue: try decimal("peak_value"),
            maxDrawdown: row["max_drawdown"], riskRatioSum: row["risk_ratio_sum"], riskRatioCount: row["risk_ratio_count"],
            totalVolume: try decimal("total_volume") ?? .zero, closingFills: row["closing_fills"], winningFills: row["winning_fills"],
            maxProfit: try decimal("max_profit"), maxLoss: try decimal("max_loss"),
            earliestFill: (row["earliest_fill"] as Int64?).map { Timestamp(milliseconds: $0) }, lastFill: (row["last_fill"] as Int64?).map { Timestamp(milliseconds: $0) })
    }

    static func traderEvent(from row: Row) throws -> TraderEventRecord {
        guard let kind = TraderEventKind(rawValue: row["kind"]), let symbol = Symbol(row["symbol"] as String),
              let size = FixedDecimal(row["size"] as String), let previous = FixedDecimal(row["previous_size"] as String),
              let source = TraderEventSource(rawValue: row["source"]) else {
            throw StorageError.corruptValue(table: "trader_events", column: "kind")
        }
        return TraderEventRecord(
            id: row["id"], traderID: row["trader_id"], address: row["address"], kind: kind, symbol: symbol,
            isLong: (row["side"] as String) == "long", size: size, previousSize: previous,
            entryPrice: (row["entry_price"] as String?).flatMap(FixedDecimal.init), time: Timestamp(milliseconds: row["time"]), source: source)
    }
}

extension LedgerStore {
    /// Adds `address` as a trader in its own transaction, or returns the one stored (made active
    /// again when an operator or a copy account asks).
    /// - Returns: the trader and whether it was added now.
    public func addTrader(address: String, source: TraderSource, now: Timestamp) throws -> (trader: TraderRecord, added: Bool) {
        try database.write { db in try LedgerTransaction(db, of: database).addTrader(address: address, source: source, now: now) }
    }

    /// Stops tracking a trader in its own transaction, keeping its history.
    public func deactivateTrader(_ id: Int64, reason: String) throws {
        try database.write { db in try LedgerTransaction(db, of: database).deactivateTrader(id, reason: reason) }
    }

    /// Stores fills in their own transaction; returns how many were new.
    @discardableResult
    public func insertTraderFills(_ traderID: Int64, _ fills: [TraderFillRecord]) throws -> Int {
        try database.write { db in try LedgerTransaction(db, of: database).insertTraderFills(traderID, fills) }
    }
}
