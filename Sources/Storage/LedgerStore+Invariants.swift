import ArenaCore
import Foundation
import GRDB

/// One rule the ledger must obey after any crash, and where it does not.
public struct LedgerInvariant: Sendable, Hashable {
    public let name: String
    /// What breaks the rule, one line each (empty when it holds).
    public let violations: [String]
    /// How many rows or accounts were checked.
    public let checked: Int

    public var holds: Bool { violations.isEmpty }
}

extension LedgerStore {
    /// The invariants the crash harness (`arena-bench crash`) checks after each restart, read in
    /// one transaction so they see one committed state:
    /// - `cash`: a paper account that never changed mode has cash = initial capital + realised
    ///   PnL - fees + funding;
    /// - `running_totals`: each account's realised PnL, fees, funding and fill count are the sums
    ///   of its fills and funding payments;
    /// - `positions`: each position's size is the signed sum of its fills;
    /// - `order_fills`: each order's filled size is the sum of its fills;
    /// - `feed_seq`: the feed's seqs run 1, 2, 3... with no gap.
    /// - Throws: A SQLite error, or `StorageError.corruptValue` for an unreadable amount.
    public func checkInvariants() throws -> [LedgerInvariant] {
        try database.read { db in
            func amount(_ row: Row, _ column: String, _ table: String) throws -> FixedDecimal {
                guard let value = FixedDecimal(row[column] as String) else { throw StorageError.corruptValue(table: table, column: column) }
                return value
            }
            var fillSums: [Int64: (pnl: FixedDecimal, fees: FixedDecimal, count: Int)] = [:]
            var positionSums: [String: FixedDecimal] = [:]
            var orderSums: [Int64: FixedDecimal] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account_id, order_id, symbol, side, size, fee, realized_pnl FROM fills") {
                let account: Int64 = row["account_id"]
                let size = try amount(row, "size", "fills")
                var sums = fillSums[account] ?? (.zero, .zero, 0)
                sums.pnl += try amount(row, "realized_pnl", "fills")
                sums.fees += try amount(row, "fee", "fills")
                sums.count += 1
                fillSums[account] = sums
                let signed = (row["side"] as String) == "buy" ? size : -size
                positionSums["\(account) \(row["symbol"] as String)", default: .zero] += signed
                orderSums[row["order_id"], default: .zero] += size
            }
            var fundingSums: [Int64: FixedDecimal] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account_id, amount FROM funding_payments") {
                fundingSums[row["account_id"], default: .zero] += try amount(row, "amount", "funding_payments")
            }
            let switched = Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT account_id FROM mode_changes WHERE outcome = 'switched'"))

            var cash: [String] = []
            var totals: [String] = []
            let accounts = try Row.fetchAll(db, sql: """
                SELECT id, mode, initial_capital, cash, realized_pnl, fees_paid, funding, fill_count FROM accounts ORDER BY id
                """)
            var cashChecked = 0
            for row in accounts {
                let id: Int64 = row["id"]
                let pnl = try amount(row, "realized_pnl", "accounts")
                let fees = try amount(row, "fees_paid", "accounts")
                let funding = try amount(row, "funding", "accounts")
                let count: Int = row["fill_count"]
                let sums = fillSums[id] ?? (.zero, .zero, 0)
                let fundingSum = fundingSums[id] ?? .zero
                if pnl != sums.pnl || fees != sums.fees || funding != fundingSum || count != sums.count {
                    totals.append("account \(id): totals pnl \(pnl) fees \(fees) funding \(funding) fills \(count); sums \(sums.pnl) \(sums.fees) \(fundingSum) \(sums.count)")
                }
                guard (row["mode"] as String) == "paper", !switched.contains(id) else { continue }
                cashChecked += 1
                let expected = try amount(row, "initial_capital", "accounts") + pnl - fees + funding
                let stored = try amount(row, "cash", "accounts")
                if stored != expected { cash.append("account \(id): cash \(stored), expected \(expected)") }
            }

            var positions: [String] = []
            var seenPositions = Set<String>()
            for row in try Row.fetchAll(db, sql: "SELECT account_id, symbol, size FROM positions") {
                let key = "\(row["account_id"] as Int64) \(row["symbol"] as String)"
                seenPositions.insert(key)
                let size = try amount(row, "size", "positions")
                let sum = positionSums[key] ?? .zero
                if size != sum { positions.append("account/symbol \(key): position \(size), fills sum to \(sum)") }
            }
            for (key, sum) in positionSums.sorted(by: { $0.key < $1.key }) where !seenPositions.contains(key) && !sum.isZero {
                positions.append("account/symbol \(key): no position row, fills sum to \(sum)")
            }

            var orders: [String] = []
            let orderRows = try Row.fetchAll(db, sql: "SELECT id, cloid, filled_size FROM orders")
            for row in orderRows {
                let filled = try amount(row, "filled_size", "orders")
                let sum = orderSums[row["id"]] ?? .zero
                if filled != sum { orders.append("order \(row["cloid"] as String): filled_size \(filled), fills sum to \(sum)") }
            }

            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(MIN(seq), 1), COALESCE(MAX(seq), 0) FROM events")
            let count: Int64 = row?[0] ?? 0
            let lowest: Int64 = row?[1] ?? 1
            let highest: Int64 = row?[2] ?? 0
            var feed: [String] = []
            if count != highest || lowest != 1 { feed.append("\(count) events for seqs \(lowest)...\(highest)") }

            return [
                LedgerInvariant(name: "cash", violations: cash, checked: cashChecked),
                LedgerInvariant(name: "running_totals", violations: totals, checked: accounts.count),
                LedgerInvariant(name: "positions", violations: positions, checked: seenPositions.union(positionSums.keys).count),
                LedgerInvariant(name: "order_fills", violations: orders, checked: orderRows.count),
                LedgerInvariant(name: "feed_seq", violations: feed, checked: Int(count)),
            ]
        }
    }
}
