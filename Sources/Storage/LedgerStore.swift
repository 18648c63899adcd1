import ArenaCore
import Foundation
import GRDB

/// Reads and writes the ledger: accounts, decisions, orders, fills, funding, positions,
/// snapshots and feed events. Each write method is one transaction.
public struct LedgerStore: Sendable {
    public let database: ArenaDatabase

    public init(database: ArenaDatabase) { self.database = database }

    // MARK: Accounts

    /// Creates an account with its initial capital as cash.
    /// - Throws: `StorageError.conflict` if the name is taken.
    public func createAccount(_ new: NewAccount, now: Timestamp) throws -> AccountRecord {
        try database.write { db in
            if try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE name = ?", arguments: [new.name]) != nil {
                throw StorageError.conflict("An account named \(new.name) already exists.")
            }
            try db.execute(sql: """
                INSERT INTO accounts (name, driver_kind, driver_settings, provider, model, symbols, mode, network,
                                      initial_capital, risk_limits, status, cash, created_at, updated_at, paper_realism)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)
                """, arguments: [new.name, new.driverKind, new.driverSettings, new.provider, new.model,
                                 Self.encodeSymbols(new.symbols), new.mode.rawValue, new.network.rawValue,
                                 new.initialCapital.description, new.riskLimits, new.initialCapital.description,
                                 now.milliseconds, now.milliseconds, new.paperRealism])
            let id = AccountID(db.lastInsertedRowID)
            guard let record = try Self.fetchAccount(db, id: id) else { throw StorageError.notFound("Account \(id)") }
            return record
        }
    }

    /// Every account, archived ones only if asked, by id.
    public func accounts(includeArchived: Bool = false) throws -> [AccountRecord] {
        try database.read { db in
            let sql = "SELECT * FROM accounts" + (includeArchived ? "" : " WHERE status != 'archived'") + " ORDER BY id"
            return try Row.fetchAll(db, sql: sql).map(Self.account(from:))
        }
    }

    /// The account with `id`, or nil.
    public func account(_ id: AccountID) throws -> AccountRecord? {
        try database.read { db in try Self.fetchAccount(db, id: id) }
    }

    /// The account named `name`, or nil.
    public func account(named name: String) throws -> AccountRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE name = ?", arguments: [name]).map(Self.account(from:))
        }
    }

    /// Replaces an account's driver, symbols and risk limits, and its paper realism when given
    /// (its ledger is untouched), in one transaction.
    public func updateConfiguration(of id: AccountID, driverKind: String, driverSettings: String, provider: String?, model: String?,
                                    symbols: [Symbol], riskLimits: String, paperRealism: String? = nil, now: Timestamp) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE accounts SET driver_kind = ?, driver_settings = ?, provider = ?, model = ?, symbols = ?, risk_limits = ?,
                    paper_realism = COALESCE(?, paper_realism), updated_at = ? WHERE id = ?
                """, arguments: [driverKind, driverSettings, provider, model, Self.encodeSymbols(symbols), riskLimits,
                                 paperRealism, now.milliseconds, id.rawValue])
        }
    }

    /// Sets how an account's paper venue behaves (`venue` or `noisy`); the database refuses other names.
    public func setPaperRealism(_ realism: String, of id: AccountID, now: Timestamp) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE accounts SET paper_realism = ?, updated_at = ? WHERE id = ?",
                           arguments: [realism, now.milliseconds, id.rawValue])
        }
    }

    /// Saves a driver's state, so a restart resumes it.
    public func saveDriverState(_ state: String?, for id: AccountID, now: Timestamp) throws {
        try database.write { db in try LedgerTransaction(db, of: database).saveDriverState(state, for: id, now: now) }
    }

    /// Sets an account's status.
    public func setStatus(_ status: AccountStatus, for id: AccountID, now: Timestamp) throws {
        try database.write { db in try LedgerTransaction(db, of: database).setStatus(status, for: id, now: now) }
    }

    static func fetchAccount(_ db: Database, id: AccountID) throws -> AccountRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE id = ?", arguments: [id.rawValue]).map(account(from:))
    }

    static func account(from row: Row) throws -> AccountRecord {
        func decimal(_ column: String) throws -> FixedDecimal {
            guard let text: String = row[column], let value = FixedDecimal(text) else {
                throw StorageError.corruptValue(table: "accounts", column: column)
            }
            return value
        }
        func enumValue<E: RawRepresentable>(_ column: String, _: E.Type) throws -> E where E.RawValue == String {
            guard let text: String = row[column], let value = E(rawValue: text) else {
                throw StorageError.corruptValue(table: "accounts", column: column)
            }
            return value
        }
        let symbolsText: String = row["symbols"] ?? "[]"
        guard let symbols = decodeSymbols(symbolsText) else { throw StorageError.corruptValue(table: "accounts", column: "symbols") }
        let sequence: Int64 = row["order_sequence"] ?? 0
        return AccountRecord(
            id: AccountID(row["id"]), name: row["name"], driverKind: row["driver_kind"],
            driverSettings: row["driver_settings"], provider: row["provider"], model: row["model"], symbols: symbols,
            mode: try enumValue("mode", AccountMode.self), network: try enumValue("network", Network.self),
            initialCapital: try decimal("initial_capital"), riskLimits: row["risk_limits"],
            status: try enumValue("status", AccountStatus.self), cash: try decimal("cash"),
            totals: LedgerTotals(realizedPnl: try decimal("realized_pnl"), feesPaid: try decimal("fees_paid"),
                                 funding: try decimal("funding"), fillCount: row["fill_count"], volume: try decimal("volume"),
                                 closedTrades: row["closed_trades"], winningTrades: row["winning_trades"],
                                 biggestWin: (row["biggest_win"] as String?).flatMap(FixedDecimal.init),
                                 biggestLoss: (row["biggest_loss"] as String?).flatMap(FixedDecimal.init)),
            driverState: row["driver_state"], orderSequence: UInt64(max(0, sequence)),
            createdAt: Timestamp(milliseconds: row["created_at"]), updatedAt: Timestamp(milliseconds: row["updated_at"]),
            paperRealism: row["paper_realism"] ?? "venue")
    }

    static func encodeSymbols(_ symbols: [Symbol]) -> String {
        "[" + symbols.map { "\"\($0.name)\"" }.joined(separator: ",") + "]"
    }

    static func decodeSymbols(_ text: String) -> [Symbol]? {
        try? JSONDecoder().decode([Symbol].self, from: Data(text.utf8))
    }

    // MARK: Positions

    /// The open positions of an account, by symbol.
    public func positions(of id: AccountID) throws -> [Position] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM positions WHERE account_id = ? ORDER BY symbol", arguments: [id.rawValue]).map { row in
                guard let symbol = Symbol(row["symbol"] as String), let size = FixedDecimal(row["size"] as String),
                      let entry = FixedDecimal(row["entry_price"] as String) else {
                    throw StorageError.corruptValue(table: "positions", column: "size")
                }
                return Position(symbol: symbol, size: size, entryPrice: entry, leverage: row["leverage"])
            }
        }
    }

    // MARK: Decisions and executions

    /// Stores one driver call and returns its id.
    @discardableResult
    public func recordDecision(_ record: DecisionRecord) throws -> Int64 {
        try database.write { db in try LedgerTransaction(db, of: database).insertDecision(record) }
    }

    /// Stores many driver calls in one transaction (bulk paths such as benchmarks).
    public func recordDecisions(_ records: [DecisionRecord]) throws {
        try database.write { db in
            let transaction = LedgerTransaction(db, of: database)
            for record in records { _ = try transaction.insertDecision(record) }
        }
    }

    /// Inserts a decision row, its prompt compressed into `prompt_zstd` against the account's
    /// keyframe (`PromptKeyframes`) or on its own; if zstd fails, the text as is in `prompt`
    /// (`prompt_deflated` is only read, for older rows).
    static func insertDecision(_ db: Database, _ record: DecisionRecord, keyframes: PromptKeyframes) throws -> Int64 {
        let account = record.accountID.rawValue
        guard var text = record.prompt else {
            let id = try insertDecisionRow(db, record, plainPrompt: nil, frame: nil, keyframe: nil)
            keyframes.stored(decision: id, of: account, against: nil, newKeyframe: nil)
            return id
        }
        var keyframe = try keyframes.keyframe(for: account, in: db)
        return try text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var frame = keyframe.flatMap { PromptCompression.compress(bytes, against: $0.text) }
            if frame == nil {
                keyframe = nil
                frame = PromptCompression.compress(bytes, against: nil)
            }
            let id = try insertDecisionRow(db, record, plainPrompt: frame == nil ? record.prompt : nil, frame: frame, keyframe: keyframe?.id)
            keyframes.stored(decision: id, of: account, against: keyframe, newKeyframe: keyframe == nil && frame != nil ? Array(bytes) : nil)
            return id
        }
    }

    private static func insertDecisionRow(_ db: Database, _ record: DecisionRecord, plainPrompt: String?, frame: [UInt8]?,
                                          keyframe: Int64?) throws -> Int64 {
        let insert = try LedgerStatement(db, sql: """
            INSERT INTO decisions (account_id, time, driver_kind, provider, model, prompt, prompt_zstd, prompt_base, raw_response,
                                   reasoning, parsed_decision, outcome, rejection_reason, prompt_tokens, completion_tokens, cost_usd,
                                   latency_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.run { values in
            values.add(record.accountID.rawValue)
            values.add(record.time.milliseconds)
            values.add(record.driverKind)
            values.add(record.provider)
            values.add(record.model)
            values.add(plainPrompt)
            values.add(frame)
            values.add(keyframe)
            values.add(record.rawResponse)
            values.add(record.reasoning)
            values.add(record.parsedDecision)
            values.add(record.outcome.rawValue)
            values.add(record.rejectionReason)
            values.add(record.promptTokens)
            values.add(record.completionTokens)
            values.add(record.costUSD)
            values.add(record.latencyMilliseconds)
        }
        return db.lastInsertedRowID
    }

    /// The newest orders of an account, newest first.
    public func recentOrders(of id: AccountID, limit: Int) throws -> [StoredOrder] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM orders WHERE account_id = ? ORDER BY id DESC LIMIT ?",
                             arguments: [id.rawValue, limit]).map(Self.storedOrder(from:))
        }
    }

    static func storedOrder(from row: Row) throws -> StoredOrder {
        func decimal(_ column: String) -> FixedDecimal? { (row[column] as String?).flatMap(FixedDecimal.init) }
        guard let cloid = ClientOrderID(hex: row["cloid"]), let symbol = Symbol(row["symbol"] as String),
              let side = Side(rawValue: row["side"]), let size = decimal("size"),
              let status = OrderStatus(rawValue: row["status"]), let mode = AccountMode(rawValue: row["mode"]),
              let origin = OrderOrigin(rawValue: row["origin"])
        else { throw StorageError.corruptValue(table: "orders", column: "cloid") }
        let typeName: String = row["type"]
        let tif = (row["tif"] as String?).flatMap(TimeInForce.init(rawValue:))
        let type: OrderType
        switch typeName {
        case "limit":
            guard let price = decimal("price"), let tif else { throw StorageError.corruptValue(table: "orders", column: "price") }
            type = .limit(price: price, timeInForce: tif)
        case "trigger":
            guard let trigger = decimal("trigger_price") else { throw StorageError.corruptValue(table: "orders", column: "trigger_price") }
            let kind = (row["trigger_kind"] as String?).flatMap(TriggerKind.init(rawValue:)) ?? .stopLoss
            type = .trigger(triggerPrice: trigger, kind: kind, limitPrice: decimal("price"))
        default:
            type = .market(slippageBound: OrderType.defaultSlippageBound)
        }
        var request = OrderRequest(clientOrderID: cloid, symbol: symbol, side: side, size: size, type: type,
                                   reduceOnly: row["reduce_only"], origin: origin)
        request.group = (row["exit_group"] as String?).flatMap(ClientOrderID.init(hex:))
        if let distance = (row["trailing_distance"] as String?).flatMap(TrailingDistance.init(text:)) {
            request.trailing = TrailingStop(distance: distance, anchor: decimal("trailing_anchor") ?? .zero)
        }
        request.exits = try ExitPlanText.legs(of: row["exit_plan"])
        var order = Order(request: request, status: status, submittedAt: Timestamp(milliseconds: row["created_at"]),
                          midAtSubmission: decimal("mid_at_submission"))
        order.filledSize = decimal("filled_size") ?? .zero
        order.averageFillPrice = decimal("average_fill_price")
        order.fee = decimal("fee") ?? .zero
        order.rejectionReason = row["rejection_reason"]
        order.venueOrderID = row["venue_order_id"]
        order.updatedAt = Timestamp(milliseconds: row["updated_at"])
        return StoredOrder(id: row["id"], accountID: AccountID(row["account_id"]), decisionID: row["decision_id"], mode: mode, order: order)
    }

    // MARK: Feed events

    /// The highest stored feed seq, or 0.
    public func lastEventSeq() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0 }
    }

    /// Feed messages after `seq`, oldest first, at most `limit`.
    /// - Throws: `StorageError.corruptValue` for a row whose type is no feed topic, or a SQLite error.
    public func events(after seq: Int64, limit: Int) throws -> [FeedMessage] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]).map { row in
                guard let topic = FeedTopic(rawValue: row["type"]) else { throw StorageError.corruptValue(table: "events", column: "type") }
                return FeedMessage(stored: row["seq"], topic: topic, accountID: (row["account_id"] as Int64?).map(AccountID.init),
                                   symbol: (row["symbol"] as String?).flatMap(Symbol.init), time: Timestamp(milliseconds: row["time"]),
                                   json: row["payload"])
            }
        }
    }

    /// Counts of rows per table, for operations and tests.
    public func count(_ table: String) throws -> Int {
        let allowed: Set<String> = ["accounts", "decisions", "orders", "fills", "funding_payments", "positions", "account_snapshots", "events"]
        guard allowed.contains(table) else { throw StorageError.notFound("Table \(table)") }
        return try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }
}
