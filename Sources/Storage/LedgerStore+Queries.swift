import ArenaCore
import GRDB

/// A decision as the API lists it.
public struct StoredDecision: Sendable, Hashable {
    public var id: Int64
    public var record: DecisionRecord
}

/// Counts and costs of an account's decisions, kept up to date by its runner as it decides.
public struct DecisionSummary: Sendable, Hashable {
    public var decisions = 0
    public var holds = 0
    public var rejected = 0
    public var failed = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var costUSD = FixedDecimal.zero

    public init() {}

    /// Starts from what the ledger holds.
    public init(_ statistics: DecisionStatistics) {
        decisions = statistics.decisions
        holds = statistics.holds
        rejected = statistics.rejected
        failed = statistics.failed
        promptTokens = statistics.promptTokens
        completionTokens = statistics.completionTokens
        costUSD = statistics.costUSD
    }

    /// Adds one decision.
    public mutating func add(_ record: DecisionRecord) {
        decisions += 1
        switch record.outcome {
        case .hold: holds += 1
        case .rejected: rejected += 1
        case .failed: failed += 1
        case .accepted: break
        }
        promptTokens += record.promptTokens ?? 0
        completionTokens += record.completionTokens ?? 0
        costUSD += record.costUSD ?? .zero
    }
}

/// One point of a downsampled equity curve.
public struct EquityPoint: Sendable, Hashable {
    public var time: Timestamp
    public var equity: FixedDecimal
}

extension LedgerStore {
    // MARK: Metrics

    /// Appends equity points and replaces the accounts' metrics, in one transaction.
    public func recordSnapshots(_ snapshots: [SnapshotRecord], metrics: [AccountID: String], now: Timestamp) throws {
        guard !snapshots.isEmpty || !metrics.isEmpty else { return }
        try database.write { db in try LedgerTransaction(db, of: database).insertSnapshots(snapshots, metrics: metrics, now: now) }
    }

    /// The stored metrics JSON of an account, if any.
    public func metrics(of id: AccountID) throws -> String? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT metrics FROM account_metrics WHERE account_id = ?", arguments: [id.rawValue])
        }
    }

    // MARK: Equity curve

    /// The equity curve between `from` and `to`, downsampled to at most `points` points: the range
    /// is cut into `points / 2` buckets and each keeps its lowest and highest point, in time order,
    /// so spikes and drawdowns survive the reduction.
    public func equityCurve(of id: AccountID, from: Timestamp, to: Timestamp, points: Int) throws -> [EquityPoint] {
        precondition(points >= 2 && to >= from)
        let buckets = Int64(max(1, points / 2))
        let width = max(1, (to.milliseconds - from.milliseconds + buckets) / buckets)
        return try database.read { db in
            var result: [EquityPoint] = []
            var bucket: Int64 = -1
            var low: EquityPoint?
            var high: EquityPoint?
            func closeBucket() {
                guard let low, let high else { return }
                if low == high { result.append(low) } else { result += low.time < high.time ? [low, high] : [high, low] }
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT time, equity FROM account_snapshots WHERE account_id = ? AND time BETWEEN ? AND ? ORDER BY time
                """, arguments: [id.rawValue, from.milliseconds, to.milliseconds])
            while let row = try rows.next() {
                let time: Int64 = row[0]
                guard let equity = FixedDecimal(row[1] as String) else {
                    throw StorageError.corruptValue(table: "account_snapshots", column: "equity")
                }
                let point = EquityPoint(time: Timestamp(milliseconds: time), equity: equity)
                let index = (time - from.milliseconds) / width
                if index != bucket {
                    closeBucket()
                    bucket = index
                    low = point
                    high = point
                } else {
                    if equity < low?.equity ?? equity { low = point }
                    if equity > high?.equity ?? equity { high = point }
                }
            }
            closeBucket()
            return result
        }
    }

    /// The time range of an account's snapshots.
    public func snapshotRange(of id: AccountID) throws -> (Timestamp, Timestamp)? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT MIN(time) AS first, MAX(time) AS last FROM account_snapshots WHERE account_id = ?",
                                             arguments: [id.rawValue]),
                  let first = row["first"] as Int64?, let last = row["last"] as Int64? else { return nil }
            return (Timestamp(milliseconds: first), Timestamp(milliseconds: last))
        }
    }

    // MARK: Pages (newest first; `before` is the last id of the previous page)

    /// A page of an account's orders, newest first, those with one of `statuses` (any when nil)
    /// and of `symbol` (any when nil).
    public func orders(of id: AccountID, before: Int64?, limit: Int, statuses: Set<OrderStatus>? = nil,
                       symbol: Symbol? = nil) throws -> [StoredOrder] {
        var sql = "SELECT * FROM orders WHERE account_id = ? AND id < ?"
        var arguments: StatementArguments = [id.rawValue, before ?? Int64.max]
        if let statuses {
            let names = statuses.map(\.rawValue).sorted()
            sql += " AND status IN (" + names.map { _ in "?" }.joined(separator: ", ") + ")"
            for name in names { arguments += [name] }
        }
        if let symbol {
            sql += " AND symbol = ?"
            arguments += [symbol.name]
        }
        sql += " ORDER BY id DESC LIMIT ?"
        arguments += [limit]
        return try database.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.storedOrder(from:)) }
    }

    /// One order by its database id.
    public func order(id: Int64) throws -> StoredOrder? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [id]).map(Self.storedOrder(from:))
        }
    }

    /// One order by its client order id.
    public func order(clientOrderID: ClientOrderID) throws -> StoredOrder? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE cloid = ?", arguments: [clientOrderID.hex]).map(Self.storedOrder(from:))
        }
    }

    /// A page of an account's fills, newest first, of `symbol` (any when nil) and between `from`
    /// and `to` inclusive (open ends when nil).
    public func fills(of id: AccountID, before: Int64?, limit: Int, symbol: Symbol? = nil, from: Timestamp? = nil,
                      to: Timestamp? = nil) throws -> [StoredFill] {
        var sql = """
            SELECT fills.*, orders.cloid FROM fills JOIN orders ON orders.id = fills.order_id
            WHERE fills.account_id = ? AND fills.id < ? AND fills.time >= ? AND fills.time <= ?
            """
        var arguments: StatementArguments = [id.rawValue, before ?? Int64.max, from?.milliseconds ?? Int64.min, to?.milliseconds ?? Int64.max]
        if let symbol {
            sql += " AND fills.symbol = ?"
            arguments += [symbol.name]
        }
        sql += " ORDER BY fills.id DESC LIMIT ?"
        arguments += [limit]
        return try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                func decimal(_ column: String) throws -> FixedDecimal {
                    guard let value = (row[column] as String?).flatMap(FixedDecimal.init) else {
                        throw StorageError.corruptValue(table: "fills", column: column)
                    }
                    return value
                }
                guard let cloid = ClientOrderID(hex: row["cloid"]), let symbol = Symbol(row["symbol"] as String),
                      let side = Side(rawValue: row["side"]), let liquidity = Liquidity(rawValue: row["liquidity"]) else {
                    throw StorageError.corruptValue(table: "fills", column: "symbol")
                }
                let fill = Fill(clientOrderID: cloid, symbol: symbol, side: side, price: try decimal("price"), size: try decimal("size"),
                                fee: try decimal("fee"), liquidity: liquidity, realizedPnl: try decimal("realized_pnl"),
                                time: Timestamp(milliseconds: row["time"]), isLiquidation: row["is_liquidation"])
                return StoredFill(id: row["id"], accountID: id, orderID: row["order_id"], fill: fill)
            }
        }
    }

    /// A page of an account's decisions, newest first.
    public func decisions(of id: AccountID, before: Int64?, limit: Int) throws -> [StoredDecision] {
        try database.read { db in
            var prompts = StoredPrompts(db)
            return try Row.fetchAll(db, sql: "SELECT * FROM decisions WHERE account_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                                    arguments: [id.rawValue, before ?? Int64.max, limit]).map { row in
                guard let outcome = DecisionRecord.Outcome(rawValue: row["outcome"]) else {
                    throw StorageError.corruptValue(table: "decisions", column: "outcome")
                }
                let record = DecisionRecord(
                    accountID: id, time: Timestamp(milliseconds: row["time"]), driverKind: row["driver_kind"], provider: row["provider"],
                    model: row["model"], prompt: try prompts.text(of: row), rawResponse: row["raw_response"], reasoning: row["reasoning"],
                    parsedDecision: row["parsed_decision"], outcome: outcome, rejectionReason: row["rejection_reason"],
                    promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
                    costUSD: (row["cost_usd"] as String?).flatMap(FixedDecimal.init), latencyMilliseconds: row["latency_ms"])
                return StoredDecision(id: row["id"], record: record)
            }
        }
    }
}
