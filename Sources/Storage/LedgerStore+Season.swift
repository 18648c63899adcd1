import ArenaCore
import Foundation
import GRDB

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

extension LedgerStore {
    /// The season's view of every account of this ledger, by account id.
    /// - Throws: A storage error.
    public func seasonAccounts() throws -> [SeasonAccountLedger] {
        try database.read { db in
            var accounts: [AccountID: SeasonAccountLedger] = [:]
            var order: [AccountID] = []
            for row in try Row.fetchAll(db, sql: "SELECT id, name, initial_capital, fees_paid FROM accounts ORDER BY id") {
                let id = AccountID(row["id"])
                order.append(id)
                accounts[id] = SeasonAccountLedger(
                    accountID: id, name: row["name"], initialCapital: Self.decimal(row["initial_capital"]), feesPaid: Self.decimal(row["fees_paid"]),
                    equity: [], closedTradePnL: [], modelCostUSD: .zero, decisions: 0, failedDecisions: 0)
            }
            let snapshots = try Row.fetchCursor(db, sql: "SELECT account_id, time, equity FROM account_snapshots ORDER BY account_id, time, id")
            while let row = try snapshots.next() {
                accounts[AccountID(row["account_id"])]?.equity.append((Timestamp(milliseconds: row["time"]), Self.decimal(row["equity"])))
            }
            let fills = try Row.fetchCursor(db, sql: "SELECT account_id, realized_pnl, fee FROM fills WHERE realized_pnl NOT IN ('0', '0.0') ORDER BY account_id, id")
            while let row = try fills.next() {
                let pnl = Self.decimal(row["realized_pnl"])
                guard !pnl.isZero else { continue }
                accounts[AccountID(row["account_id"])]?.closedTradePnL.append(pnl - Self.decimal(row["fee"]))
            }
            let decisions = try Row.fetchCursor(db, sql: "SELECT account_id, outcome, cost_usd FROM decisions ORDER BY account_id, id")
            while let row = try decisions.next() {
                let id = AccountID(row["account_id"])
                accounts[id]?.decisions += 1
                if (row["outcome"] as String?) == "failed" { accounts[id]?.failedDecisions += 1 }
                if let cost = row["cost_usd"] as String?, let value = FixedDecimal(cost) { accounts[id]?.modelCostUSD += value }
            }
            return order.compactMap { accounts[$0] }
        }
    }

    private static func decimal(_ text: String?) -> FixedDecimal { text.flatMap(FixedDecimal.init) ?? .zero }

    /// The tables of trading state a season's checksum covers, and the columns it leaves out
    /// because they measure the machine, not the trading: a decision's `latency_ms` (how long the
    /// model took, in real time). `events` (the feed, which also carries rankings taken on the
    /// wall clock), `account_metrics` (derived from the rest) and the operational tables (audit,
    /// alerts, secrets, admin actions, watermarks) are not covered.
    public static let canonicalTables: [(table: String, excluded: Set<String>)] = [
        ("accounts", []), ("positions", []), ("decisions", ["latency_ms"]), ("orders", []), ("fills", []),
        ("funding_payments", []), ("account_snapshots", []), ("risk_state", []), ("risk_events", []), ("mode_changes", []),
    ]

    /// Writes a canonical dump of the trading tables to `sink`, one line per row: the table's name,
    /// then each column's value (tab-separated, NULL as `\N`, text escaped, blobs in hex). Rows come
    /// in the order of (account, id), and ids are renumbered in that order (references to decisions
    /// and orders follow), so that accounts deciding side by side, whose rows interleave in a
    /// different order on each run, dump the same.
    /// - Throws: A storage error.
    public func canonicalDump(_ sink: ([UInt8]) -> Void) throws {
        try database.read { db in
            var renumbered: [String: [Int64: Int64]] = [:]
            for (table, excluded) in Self.canonicalTables {
                guard try db.tableExists(table) else { continue }
                let columns = try db.columns(in: table).map(\.name).filter { !excluded.contains($0) }
                let hasID = columns.contains("id")
                let hasAccount = columns.contains("account_id")
                let orderBy = [hasAccount ? "account_id" : nil, hasID ? "id" : nil].compactMap { $0 }
                let ordering = orderBy.isEmpty ? "" : " ORDER BY " + orderBy.joined(separator: ", ")
                    + (hasID ? "" : ", " + columns.filter { $0 != "account_id" }.joined(separator: ", "))
                var numbers: [Int64: Int64] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(table)\(ordering)")
                var line: [UInt8] = []
                while let row = try rows.next() {
                    line.removeAll(keepingCapacity: true)
                    line.append(contentsOf: table.utf8)
                    for (index, column) in columns.enumerated() {
                        var value = row[index] as DatabaseValue
                        if column == "id", let id = Int64.fromDatabaseValue(value) {
                            let number = Int64(numbers.count + 1)
                            numbers[id] = number
                            value = number.databaseValue
                        } else if let referenced = Self.references[table]?[column], let id = Int64.fromDatabaseValue(value) {
                            value = (renumbered[referenced]?[id] ?? -1).databaseValue
                        }
                        line.append(UInt8(ascii: "\t"))
                        Self.append(value, to: &line)
                    }
                    sink(line)
                }
                renumbered[table] = numbers
            }
        }
    }

    /// Columns that hold another table's id, renumbered with it.
    private static let references: [String: [String: String]] = [
        "orders": ["decision_id": "decisions"],
        "fills": ["order_id": "orders"],
    ]

    /// The lowercase hex digit of a value below 16.
    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }

    /// Appends a value's canonical text to `line`.
    private static func append(_ value: DatabaseValue, to line: inout [UInt8]) {
        switch value.storage {
        case .null: line.append(contentsOf: "\\N".utf8)
        case .int64(let integer): line.append(contentsOf: String(integer).utf8)
        case .double(let double): line.append(contentsOf: String(double).utf8)
        case .string(let text):
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): line += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\t"): line += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case UInt8(ascii: "\n"): line += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): line += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                default: line.append(byte)
                }
            }
        case .blob(let data):
            line.append(UInt8(ascii: "x"))
            // Blobs are the prompts, the bulk of a season's dump: hex them in one pass over raw bytes.
            let start = line.count
            line.append(contentsOf: repeatElement(0, count: data.count * 2))
            line.withUnsafeMutableBufferPointer { output in
                data.withUnsafeBytes { input in
                    var position = start
                    for byte in input {
                        output[position] = hexDigit(byte >> 4)
                        output[position + 1] = hexDigit(byte & 0x0F)
                        position += 2
                    }
                }
            }
        }
    }
}
