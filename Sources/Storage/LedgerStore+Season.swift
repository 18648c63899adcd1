import ArenaCore
import Foundation
import GRDB
import GRDBSQLite

/// What a season reads back from one repeat's ledger.
public struct SeasonAccountLedger: Sendable {
    public var accountID: AccountID
    public var name: String
    public var initialCapital: FixedDecimal
    public var feesPaid: FixedDecimal
    /// Every equity snapshot, in order of time.
    public var equity: [(time: Timestamp, equity: FixedDecimal)]
    /// Each closing fill's realized PnL net of its fee, in order of closing.
    public var closedTradePnL: [FixedDecimal]
    public var modelCostUSD: FixedDecimal
    public var decisions: Int
    /// Decisions with no usable answer (outcome `failed`).
    public var failedDecisions: Int
}

/// Indexes a season's repeat does without while it runs (`LedgerStore.deferSeasonIndexes`).
public struct DeferredIndexes: Sendable {
    /// Each index's `CREATE INDEX` statement, as `sqlite_master` keeps it.
    let definitions: [String]
}

extension LedgerStore {
    /// The indexes a season's repeat builds once its market is done instead of keeping up to date
    /// at every insert: nothing a repeat does while it runs reads through them (they serve the
    /// API's reads and the read-back after the run; a prompt's keyframe is looked up through them
    /// only when not kept in memory, and then lies among the account's last rows). Keeping them
    /// up to date was about a fifteenth of a season's work.
    static let seasonDeferredIndexes = ["decisions_by_account", "fills_by_account", "fills_by_account_time", "snapshots_by_account_time",
                                        "orders_by_account", "orders_by_exit_group", "orders_not_final"]

    /// Drops the season's deferred indexes (those of `seasonDeferredIndexes` this ledger has) and
    /// returns their definitions, for `restore(_:)` before anything reads the ledger back.
    /// - Throws: A storage error.
    public func deferSeasonIndexes() throws -> DeferredIndexes {
        try database.write { db in
            var definitions: [String] = []
            for name in Self.seasonDeferredIndexes {
                guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                                    arguments: [name]) else { continue }
                definitions.append(sql)
                try db.execute(sql: "DROP INDEX \(name)")
            }
            return DeferredIndexes(definitions: definitions)
        }
    }

    /// Builds the indexes `deferSeasonIndexes` dropped again, exactly as they were defined.
    /// - Throws: A storage error.
    public func restore(_ indexes: DeferredIndexes) throws {
        try database.write { db in
            for definition in indexes.definitions { try db.execute(sql: definition) }
        }
    }

    /// The season's view of every account of this ledger, in order of account id.
    ///
    /// Read through raw statements (`LedgerStatement.forEachRow`), each table in the order its rows
    /// were stored: a year's repeat has hundreds of thousands of snapshots, fills and decisions, and
    /// ordering them by account went through the account index and then looked up every row in
    /// the table (half the time of the read). An account's rows come in the order they were
    /// stored either way.
    /// - Throws: A storage error.
    public func seasonAccounts() throws -> [SeasonAccountLedger] {
        try database.read { db in
            var accounts: [SeasonAccountLedger] = []
            var positions: [Int64: Int] = [:]
            try LedgerStatement(db, sql: "SELECT id, name, initial_capital, fees_paid FROM accounts ORDER BY id").forEachRow { row in
                let id = row.int64(0)
                positions[id] = accounts.count
                accounts.append(SeasonAccountLedger(
                    accountID: AccountID(id), name: row.string(1) ?? "", initialCapital: Self.decimal(row, 2), feesPaid: Self.decimal(row, 3),
                    equity: [], closedTradePnL: [], modelCostUSD: .zero, decisions: 0, failedDecisions: 0))
            }
            // The position in `accounts` of a row's account (column 0), nil for an account not
            // in the ledger.
            func position(_ row: LedgerRow) -> Int? { positions[row.int64(0)] }
            try LedgerStatement(db, sql: "SELECT account_id, time, equity FROM account_snapshots ORDER BY id").forEachRow { row in
                guard let index = position(row) else { return }
                accounts[index].equity.append((Timestamp(milliseconds: row.int64(1)), Self.decimal(row, 2)))
            }
            // Snapshots are stored as market time goes on; should an account's ever not be, they
            // are put in order of time, then of storing.
            for index in accounts.indices {
                let equity = accounts[index].equity
                guard zip(equity, equity.dropFirst()).contains(where: { $0.time.milliseconds > $1.time.milliseconds }) else { continue }
                accounts[index].equity = accounts[index].equity.enumerated()
                    .sorted { ($0.element.time.milliseconds, $0.offset) < ($1.element.time.milliseconds, $1.offset) }.map(\.element)
            }
            let fills = "SELECT account_id, realized_pnl, fee FROM fills WHERE realized_pnl NOT IN ('0', '0.0') ORDER BY id"
            try LedgerStatement(db, sql: fills).forEachRow { row in
                guard let index = position(row) else { return }
                let pnl = Self.decimal(row, 1)
                guard !pnl.isZero else { return }
                accounts[index].closedTradePnL.append(pnl - Self.decimal(row, 2))
            }
            try LedgerStatement(db, sql: "SELECT account_id, outcome, cost_usd FROM decisions ORDER BY id").forEachRow { row in
                guard let index = position(row) else { return }
                accounts[index].decisions += 1
                if row.type(1) == SQLITE_TEXT, row.text(1).elementsEqual("failed".utf8) { accounts[index].failedDecisions += 1 }
                if row.type(2) != SQLITE_NULL, let cost = FixedDecimal(String(decoding: row.text(2), as: UTF8.self)) {
                    accounts[index].modelCostUSD += cost
                }
            }
            return accounts
        }
    }

    /// A decimal column's value; zero for NULL or text that is not a decimal.
    private static func decimal(_ row: LedgerRow, _ column: Int32) -> FixedDecimal {
        guard row.type(column) != SQLITE_NULL else { return .zero }
        return FixedDecimal(String(decoding: row.text(column), as: UTF8.self)) ?? .zero
    }

    /// The tables of trading state a season's checksum covers, and the columns it leaves out
    /// because they measure the machine, not the trading: a decision's `latency_ms` (how long the
    /// model took, in real time). `events` (the feed, which also carries rankings taken on the
    /// wall clock), `account_metrics` (derived from the rest) and the operational tables (audit,
    /// alerts, secrets, admin actions, watermarks) are not covered.
    public static let canonicalTables: [(table: String, excluded: Set<String>)] = [
        ("accounts", []), ("positions", []), ("decisions", ["latency_ms"]), ("orders", []), ("fills", []),
        ("funding_payments", []), ("account_snapshots", []), ("risk_state", []), ("risk_events", []), ("mode_changes", []),
    ]

    /// The SHA-256 of the canonical dump (`canonicalDump`) as 64 lowercase hex digits, hashed as
    /// it is written: a season's repeat checksum.
    /// - Throws: A storage error.
    public func canonicalChecksum() throws -> String {
        let hasher = SHA256Hasher()
        try writeCanonicalDump { piece in hasher.update(piece) }
        return hasher.finishHex()
    }

    /// Writes the canonical dump of the trading tables to `sink` in pieces whose concatenation is
    /// the dump's text (for tests and debugging; a season hashes it with `canonicalChecksum`).
    ///
    /// The text is defined in `docs/SEASONS.md` ("The checksum."): one line per row, the table's
    /// name then its values, tab-separated, blobs counted and raw rather than hexed (they are the
    /// prompts, the bulk of a season's dump). Rows come in the order of (account, id), and ids are
    /// renumbered in that order (references to decisions and orders follow), so that accounts
    /// deciding side by side, whose rows interleave in a different order on each run, dump the same.
    /// - Throws: A storage error.
    public func canonicalDump(_ sink: ([UInt8]) -> Void) throws {
        try writeCanonicalDump { piece in sink(Array(piece)) }
    }

    /// Steps through the covered tables with raw statements, writing each row into one reused
    /// buffer that goes to `consume` whenever it holds a few tens of kilobytes.
    private func writeCanonicalDump(_ consume: (UnsafeRawBufferPointer) -> Void) throws {
        try database.read { db in
            var output = CanonicalDumpBuffer()
            var renumbered: [String: [Int64: Int64]] = [:]
            let referencedTables = Set(Self.references.values.flatMap(\.values))
            for (table, excluded) in Self.canonicalTables {
                guard try db.tableExists(table) else { continue }
                let columns = try db.columns(in: table).map(\.name).filter { !excluded.contains($0) }
                let hasID = columns.contains("id")
                let hasAccount = columns.contains("account_id")
                let orderBy = [hasAccount ? "account_id" : nil, hasID ? "id" : nil].compactMap { $0 }
                let ordering = orderBy.isEmpty ? "" : " ORDER BY " + orderBy.joined(separator: ", ")
                    + (hasID ? "" : ", " + columns.filter { $0 != "account_id" }.joined(separator: ", "))
                let roles: [CanonicalColumn] = columns.map { column in
                    if column == "id" { return .id }
                    if let referenced = Self.references[table]?[column] {
                        return referenced == table ? .earlierRow : .reference(renumbered[referenced] ?? [:])
                    }
                    return .value
                }
                let keepsNumbers = referencedTables.contains(table)
                var numbers: [Int64: Int64] = [:]
                var rowCount: Int64 = 0
                let select = "SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(table)\(ordering)"
                try LedgerStatement(db, sql: select).forEachRow { row in
                    output.append(table)
                    for (index, role) in roles.enumerated() {
                        let column = Int32(index)
                        output.append(byte: UInt8(ascii: "\t"))
                        let type = row.type(column)
                        guard type == SQLITE_INTEGER else {
                            output.append(row, column, type: type)
                            continue
                        }
                        switch role {
                        case .id:
                            rowCount += 1
                            if keepsNumbers { numbers[row.int64(column)] = rowCount }
                            output.append(decimal: rowCount)
                        case .reference(let targets):
                            output.append(decimal: targets[row.int64(column)] ?? -1)
                        case .earlierRow:
                            output.append(decimal: numbers[row.int64(column)] ?? -1)
                        case .value:
                            output.append(decimal: row.int64(column))
                        }
                    }
                    output.append(byte: UInt8(ascii: "\n"))
                    output.flush(ifOver: 1 << 16, to: consume)
                }
                if keepsNumbers { renumbered[table] = numbers }
            }
            output.flush(ifOver: 0, to: consume)
        }
    }

    /// Columns that hold another table's id, renumbered with it.
    private static let references: [String: [String: String]] = [
        "decisions": ["prompt_base": "decisions"],
        "orders": ["decision_id": "decisions"],
        "fills": ["order_id": "orders"],
    ]
}

/// What the canonical dump does with a column's integer values.
private enum CanonicalColumn {
    /// The row's id: replaced by the row's number in dump order.
    case id
    /// Another table's id: replaced by that row's number (-1 when it has none).
    case reference([Int64: Int64])
    /// The id of a row of the same table that comes before in dump order (a prompt's keyframe, of
    /// the same account): replaced by that row's number (-1 when it has none).
    case earlierRow
    /// Written as it is.
    case value
}

/// The bytes of the canonical dump not yet handed on.
private struct CanonicalDumpBuffer {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 17) }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Appends an integer in decimal, without going through `String`.
    mutating func append(decimal value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 { digits += 1; rest /= 10 }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        bytes.withUnsafeMutableBufferPointer { output in
            var position = start + digits - 1
            repeat {
                output[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                position -= 1
            } while magnitude > 0
        }
    }

    /// Appends a value that is not an integer: NULL, text, blob or floating point.
    mutating func append(_ row: LedgerRow, _ column: Int32, type: Int32) {
        switch type {
        case SQLITE_NULL:
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
        case SQLITE_FLOAT:
            bytes.append(UInt8(ascii: "r"))
            let bits = row.double(column).bitPattern
            for shift in stride(from: 60, through: 0, by: -4) { bytes.append(Self.hexDigit(UInt8(truncatingIfNeeded: bits >> UInt64(shift)) & 0x0F)) }
        case SQLITE_BLOB:
            // Blobs are the prompts, the bulk of a season's dump: counted, then copied as they are.
            let blob = row.blob(column)
            bytes.append(UInt8(ascii: "x"))
            append(decimal: Int64(blob.count))
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: blob)
        default:
            appendEscaped(row.text(column))
        }
    }

    /// Appends text with its backslashes, tabs, line feeds and carriage returns escaped, copying
    /// the runs between them whole.
    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for (index, byte) in text.enumerated() {
            let escape: UInt8
            switch byte {
            case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
            default: continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(escape)
            runStart = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...]))
    }

    /// Hands the buffered bytes to `consume` and empties the buffer, once it holds more than `limit`.
    mutating func flush(ifOver limit: Int, to consume: (UnsafeRawBufferPointer) -> Void) {
        guard bytes.count > limit else { return }
        bytes.withUnsafeBytes { consume($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// The lowercase hex digit of a value below 16.
    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }
}
