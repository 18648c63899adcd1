import ArenaCore
import GRDB
import GRDBSQLite

extension LedgerStore {
    /// Stores everything one executor call changed (orders, fills, funding, positions, cash and
    /// the order sequence) in one transaction.
    public func recordExecution(_ record: ExecutionRecord) throws {
        try recordExecutions([record])
    }

    /// Stores many executions in one transaction (bulk paths such as replays and benchmarks).
    ///
    /// Orders, fills and funding payments are written record by record, in order. Positions and
    /// each account's cash, totals and order sequence are written once per transaction, from the
    /// last record that carries them: the rows end up exactly as if every record had been written
    /// in turn, with a fraction of the statements.
    public func recordExecutions(_ records: [ExecutionRecord]) throws {
        guard !records.isEmpty else { return }
        try database.write { db in try Self.writeExecutions(db, records) }
    }

    /// Writes executions inside the caller's write transaction (see `recordExecutions`).
    static func writeExecutions(_ db: Database, _ records: [ExecutionRecord]) throws {
        guard !records.isEmpty else { return }
        var writer = try ExecutionWriter(db)
        for record in records { try writer.write(record) }
        try writer.finish()
    }
}

/// Writes executor results inside one write transaction, with its statements prepared once.
///
/// The statements run through the SQLite C API (`LedgerStatement`): on this path GRDB's generic
/// argument handling cost more than SQLite's own work. Decimals are bound as their exact text,
/// the format every reader of the ledger parses.
struct ExecutionWriter {
    /// The last state of one position written in the transaction.
    struct PendingPosition {
        var account: Int64
        var position: Position
        var time: Timestamp
    }

    /// The last cash and totals of one account written in the transaction.
    struct PendingAccount {
        var account: Int64
        var cash: FixedDecimal
        var totals: LedgerTotals
        var orderSequence: UInt64
        var time: Timestamp
    }

    /// A position's key: account and symbol.
    struct PositionKey: Hashable {
        var account: Int64
        var symbol: Symbol
    }

    let upsertOrder: LedgerStatement
    let orderIDByCloid: LedgerStatement
    let insertFill: LedgerStatement
    let insertFunding: LedgerStatement
    let upsertPosition: LedgerStatement
    let deletePosition: LedgerStatement
    let updateAccount: LedgerStatement

    /// Row ids of the orders written in this transaction, so that their fills need no look-up.
    var orderIDs: [ClientOrderID: Int64] = [:]
    /// Positions by key, in the order they were first touched.
    var positions: [PendingPosition] = []
    var positionIndex: [PositionKey: Int] = [:]
    /// Accounts in the order they were first touched.
    var accounts: [PendingAccount] = []
    var accountIndex: [Int64: Int] = [:]

    init(_ db: Database) throws {
        upsertOrder = try LedgerStatement(db, sql: """
            INSERT INTO orders (account_id, decision_id, cloid, venue_order_id, mode, origin, symbol, side, type, tif, reduce_only,
                                price, trigger_price, size, filled_size, average_fill_price, mid_at_submission, slippage, fee,
                                status, rejection_reason, created_at, updated_at,
                                trigger_kind, exit_group, trailing_distance, trailing_anchor, exit_plan)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (cloid) DO UPDATE SET venue_order_id = COALESCE(excluded.venue_order_id, venue_order_id),
                filled_size = excluded.filled_size, average_fill_price = excluded.average_fill_price, slippage = excluded.slippage,
                fee = excluded.fee, status = excluded.status, rejection_reason = excluded.rejection_reason,
                updated_at = excluded.updated_at, size = excluded.size, price = excluded.price,
                trigger_price = excluded.trigger_price, trailing_anchor = excluded.trailing_anchor, exit_plan = excluded.exit_plan
            """)
        orderIDByCloid = try LedgerStatement(db, sql: "SELECT id FROM orders WHERE cloid = ?")
        insertFill = try LedgerStatement(db, sql: """
            INSERT INTO fills (account_id, order_id, symbol, side, price, size, fee, liquidity, realized_pnl, is_liquidation, time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertFunding = try LedgerStatement(db, sql: """
            INSERT INTO funding_payments (account_id, symbol, rate, position_size, price, amount, time)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        upsertPosition = try LedgerStatement(db, sql: """
            INSERT INTO positions (account_id, symbol, size, entry_price, leverage, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (account_id, symbol) DO UPDATE SET size = excluded.size, entry_price = excluded.entry_price,
                leverage = excluded.leverage, updated_at = excluded.updated_at
            """)
        deletePosition = try LedgerStatement(db, sql: "DELETE FROM positions WHERE account_id = ? AND symbol = ?")
        updateAccount = try LedgerStatement(db, sql: """
            UPDATE accounts SET cash = ?, realized_pnl = ?, fees_paid = ?, funding = ?, fill_count = ?, volume = ?,
                closed_trades = ?, winning_trades = ?, biggest_win = ?, biggest_loss = ?,
                order_sequence = MAX(order_sequence, ?), updated_at = ? WHERE id = ?
            """)
    }

    /// Writes a record's events now and keeps its positions and account state for `finish`.
    mutating func write(_ record: ExecutionRecord) throws {
        let account = record.accountID.rawValue
        for event in record.events {
            switch event {
            case .orderUpdated(let order):
                if let id = try writeOrder(order, account: account, decisionID: record.decisionID, mode: record.mode) {
                    orderIDs[order.request.clientOrderID] = id
                }
            case .filled(let fill):
                let orderID = try self.orderID(of: fill.clientOrderID)
                try insertFill.run { values in
                    values.add(account)
                    values.add(orderID)
                    values.add(fill.symbol.name)
                    values.add(fill.side.rawValue)
                    values.add(fill.price)
                    values.add(fill.size)
                    values.add(fill.fee)
                    values.add(fill.liquidity.rawValue)
                    values.add(fill.realizedPnl)
                    values.add(fill.isLiquidation)
                    values.add(fill.time.milliseconds)
                }
            case .fundingPaid(let payment):
                try insertFunding.run { values in
                    values.add(account)
                    values.add(payment.symbol.name)
                    values.add(payment.rate)
                    values.add(payment.positionSize)
                    values.add(payment.price)
                    values.add(payment.amount)
                    values.add(payment.time.milliseconds)
                }
            case .liquidated:
                break  // Its fills carry is_liquidation; the feed carries the event itself.
            }
        }
        for position in record.positions {
            let pending = PendingPosition(account: account, position: position, time: record.time)
            let key = PositionKey(account: account, symbol: position.symbol)
            if let index = positionIndex[key] {
                positions[index] = pending
            } else {
                positionIndex[key] = positions.count
                positions.append(pending)
            }
        }
        if let index = accountIndex[account] {
            accounts[index].cash = record.cash
            accounts[index].totals = record.totals
            accounts[index].orderSequence = Swift.max(accounts[index].orderSequence, record.orderSequence)
            accounts[index].time = record.time
        } else {
            accountIndex[account] = accounts.count
            accounts.append(PendingAccount(account: account, cash: record.cash, totals: record.totals,
                                           orderSequence: record.orderSequence, time: record.time))
        }
    }

    /// Writes the last state of every position and account the records touched.
    func finish() throws {
        for pending in positions {
            let position = pending.position
            if position.isFlat {
                try deletePosition.run { values in
                    values.add(pending.account)
                    values.add(position.symbol.name)
                }
            } else {
                try upsertPosition.run { values in
                    values.add(pending.account)
                    values.add(position.symbol.name)
                    values.add(position.size)
                    values.add(position.entryPrice)
                    values.add(position.leverage)
                    values.add(pending.time.milliseconds)
                }
            }
        }
        for pending in accounts {
            let totals = pending.totals
            try updateAccount.run { values in
                values.add(pending.cash)
                values.add(totals.realizedPnl)
                values.add(totals.feesPaid)
                values.add(totals.funding)
                values.add(totals.fillCount)
                values.add(totals.volume)
                values.add(totals.closedTrades)
                values.add(totals.winningTrades)
                values.add(totals.biggestWin)
                values.add(totals.biggestLoss)
                values.add(Int64(clamping: pending.orderSequence))
                values.add(pending.time.milliseconds)
                values.add(pending.account)
            }
        }
    }

    /// Inserts or updates an order; returns its row id when it was inserted.
    func writeOrder(_ order: Order, account: Int64, decisionID: Int64?, mode: AccountMode) throws -> Int64? {
        let request = order.request
        var price: FixedDecimal?
        var triggerPrice: FixedDecimal?
        var tif: String?
        var triggerKind: String?
        switch request.type {
        case .market:
            tif = TimeInForce.ioc.rawValue
        case .limit(let limit, let timeInForce):
            price = limit
            tif = timeInForce.rawValue
        case .trigger(let trigger, let kind, let limit):
            triggerPrice = trigger
            price = limit
            triggerKind = kind.rawValue
        }
        return try upsertOrder.runReturningInsertedRowID { values in
            values.add(account)
            values.add(decisionID)
            values.add(request.clientOrderID.hex)
            values.add(order.venueOrderID)
            values.add(mode.rawValue)
            values.add(request.origin.rawValue)
            values.add(request.symbol.name)
            values.add(request.side.rawValue)
            values.add(request.type.name)
            values.add(tif)
            values.add(request.reduceOnly)
            values.add(price)
            values.add(triggerPrice)
            values.add(request.size)
            values.add(order.filledSize)
            values.add(order.averageFillPrice)
            values.add(order.midAtSubmission)
            values.add(order.slippageBasisPoints?.rounded(decimals: 4))
            values.add(order.fee)
            values.add(order.status.rawValue)
            values.add(order.rejectionReason)
            values.add(order.submittedAt.milliseconds)
            values.add(order.updatedAt.milliseconds)
            values.add(triggerKind)
            values.add(request.group?.hex)
            values.add(request.trailing?.distance.text)
            values.add(request.trailing?.anchor)
            values.add(ExitPlanText.text(of: request.exits))
        }
    }

    /// The row id of the order with `cloid`: written in this transaction, or looked up.
    mutating func orderID(of cloid: ClientOrderID) throws -> Int64 {
        if let id = orderIDs[cloid] { return id }
        let found = try orderIDByCloid.runReturningInteger { values in values.add(cloid.hex) }
        guard let id = found else { throw StorageError.notFound("The order \(cloid) of a fill") }
        orderIDs[cloid] = id
        return id
    }
}

/// A statement of GRDB's cache for one write transaction, bound and stepped through the SQLite C
/// API. Every run binds all of its parameters, steps, and resets the statement, so GRDB finds it
/// as it left it.
struct LedgerStatement {
    /// Keeps the prepared statement alive; only its SQLite handle is used.
    let statement: Statement
    let handle: SQLiteStatement
    let parameterCount: Int32

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        parameterCount = sqlite3_bind_parameter_count(handle)
    }

    /// Binds the values `bind` adds, in parameter order, and runs the statement.
    func run(_ bind: (inout LedgerValues) throws -> Void) throws {
        try prepare(bind)
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Binds the values `bind` adds, runs an insert or upsert, and returns the row id of the row
    /// it inserted, or nil when it inserted none (an upsert that updated).
    ///
    /// `RETURNING id` would give the id in both cases, but SQLite then builds a temporary table on
    /// every run, which costs more than the whole insert.
    func runReturningInsertedRowID(_ bind: (inout LedgerValues) throws -> Void) throws -> Int64? {
        // Row ids are positive, and an upsert that updates leaves the last inserted row id alone.
        let connection = sqlite3_db_handle(handle)
        sqlite3_set_last_insert_rowid(connection, 0)
        try run(bind)
        let id = sqlite3_last_insert_rowid(connection)
        return id > 0 ? id : nil
    }

    /// Binds the values `bind` adds, runs the statement, and returns the first column of its
    /// first row as an integer (nil when it returns no row).
    func runReturningInteger(_ bind: (inout LedgerValues) throws -> Void) throws -> Int64? {
        try prepare(bind)
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return sqlite3_column_int64(handle, 0)
        case SQLITE_DONE: return nil
        default: throw error(code)
        }
    }

    /// Binds the values `bind` adds, runs the statement, and returns what `read` makes of its first
    /// row (nil when it returns no row).
    func runReturningRow<T>(_ bind: (inout LedgerValues) throws -> Void, _ read: (LedgerRow) throws -> T) throws -> T? {
        try prepare(bind)
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return try read(LedgerRow(handle: handle))
        case SQLITE_DONE: return nil
        default: throw error(code)
        }
    }

    private func prepare(_ bind: (inout LedgerValues) throws -> Void) throws {
        sqlite3_reset(handle)  // The previous run ended with a reset; this one only guards.
        var values = LedgerValues(handle: handle)
        try bind(&values)
        if values.failure != SQLITE_OK { throw error(values.failure) }
        guard values.position == parameterCount + 1 else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "bound \(values.position - 1) of \(parameterCount) parameters",
                                sql: statement.sql)
        }
    }

    private func error(_ code: Int32) -> DatabaseError {
        let message = sqlite3_errmsg(sqlite3_db_handle(handle)).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}

/// The parameters of a `LedgerStatement`, bound one after the other.
struct LedgerValues {
    let handle: SQLiteStatement
    /// The 1-based index of the next parameter.
    private(set) var position: Int32 = 1
    /// The first result code other than `SQLITE_OK` a binding returned.
    private(set) var failure = SQLITE_OK

    init(handle: SQLiteStatement) { self.handle = handle }

    /// SQLite copies text bound with this destructor, so the Swift string need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func add(_ value: Int64) {
        record(sqlite3_bind_int64(handle, position, value))
    }

    mutating func add(_ value: Int) { add(Int64(value)) }

    /// Booleans are stored as 0 or 1, as GRDB stores them.
    mutating func add(_ value: Bool) { add(Int64(value ? 1 : 0)) }

    mutating func add(_ value: String) {
        var text = value
        let code = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                // A null pointer would bind NULL: an empty text needs a real (empty) C string.
                guard let start = characters.baseAddress, !characters.isEmpty else {
                    return sqlite3_bind_text(handle, position, "", 0, Self.transient)
                }
                return sqlite3_bind_text(handle, position, start, Int32(characters.count), Self.transient)
            }
        }
        record(code)
    }

    /// Decimals are stored as their exact text (`FixedDecimal.description`).
    mutating func add(_ value: FixedDecimal) { add(value.description) }

    mutating func add(_ value: Int64?) {
        guard let value else { return addNull() }
        add(value)
    }

    mutating func add(_ value: String?) {
        guard let value else { return addNull() }
        add(value)
    }

    mutating func add(_ value: FixedDecimal?) {
        guard let value else { return addNull() }
        add(value)
    }

    mutating func add(_ value: Int?) {
        guard let value else { return addNull() }
        add(value)
    }

    /// Bytes are bound as a blob (a zero-length one for no bytes), nil as NULL.
    mutating func add(_ bytes: [UInt8]?) {
        guard let bytes else { return addNull() }
        let code = bytes.withUnsafeBytes { raw in
            sqlite3_bind_blob(handle, position, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
        record(code)
    }

    mutating func addNull() {
        record(sqlite3_bind_null(handle, position))
    }

    private mutating func record(_ code: Int32) {
        if code != SQLITE_OK, failure == SQLITE_OK { failure = code }
        position += 1
    }
}

extension LedgerStatement {
    /// Steps a statement that binds no parameter through its rows, calling `row` on each, then
    /// resets it. For reads of many rows, where a GRDB `Row` per row costs more than SQLite's work.
    func forEachRow(_ row: (LedgerRow) throws -> Void) throws {
        guard parameterCount == 0 else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "a statement with \(parameterCount) parameters stepped unbound",
                                sql: statement.sql)
        }
        sqlite3_reset(handle)
        defer { sqlite3_reset(handle) }
        let current = LedgerRow(handle: handle)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            try row(current)
        }
    }
}

/// The row a `LedgerStatement` is stepped to; valid only inside `forEachRow`'s body, and the bytes
/// it lends only until the next call on it.
struct LedgerRow {
    let handle: SQLiteStatement

    /// The column's storage class: `SQLITE_INTEGER`, `SQLITE_FLOAT`, `SQLITE_TEXT`, `SQLITE_BLOB` or `SQLITE_NULL`.
    func type(_ column: Int32) -> Int32 { sqlite3_column_type(handle, column) }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// The column as UTF-8 text (SQLite converts numbers); empty for NULL.
    func text(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let start = sqlite3_column_text(handle, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(handle, column)))
    }

    /// The column's bytes as a blob; empty for NULL or an empty blob.
    func blob(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let start = sqlite3_column_blob(handle, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: Int(sqlite3_column_bytes(handle, column)))
    }

    /// The column as a string, nil for NULL.
    func string(_ column: Int32) -> String? {
        type(column) == SQLITE_NULL ? nil : String(decoding: text(column), as: UTF8.self)
    }
}
