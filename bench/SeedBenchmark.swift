import Arena
import ArenaCore
import ArgumentParser
import Foundation
import Storage

/// `arena-bench seed`: builds a database the size of a busy arena for the API benchmarks: many
/// accounts, a year of equity snapshots with their statistics, orders, fills and decisions.
struct SeedBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Build a large benchmark database.")

    @Option(help: "The database to create (must not exist).")
    var db: String

    @Option(help: "Accounts.")
    var accounts = 1_000

    @Option(help: "Equity snapshots in all, spread evenly over the accounts and over a year.")
    var snapshots = 10_000_000

    @Option(name: .customLong("orders-per-account"), help: "Filled orders per account (each with one fill and one decision).")
    var ordersPerAccount = 20

    @Option(help: "The migrations folder.")
    var migrations = "migrations"

    func validate() throws {
        guard accounts > 0, snapshots >= accounts, ordersPerAccount >= 0 else { throw ValidationError("counts must be positive") }
        guard !FileManager.default.fileExists(atPath: db) else { throw ValidationError("\(db) exists; give a new path") }
    }

    func run() throws {
        let started = ContinuousClock.now
        let database = try ArenaDatabase(path: db)
        defer { try? database.close() }
        try Migrator(folder: migrations).migrate(database, now: 0)
        let ledger = LedgerStore(database: database)
        let year: Int64 = 365 * 86_400_000
        let end = Int64(Date().timeIntervalSince1970 * 1000)
        let start = end - year
        let perAccount = snapshots / accounts
        let interval = max(1, year / Int64(perAccount))
        var random = SeededGenerator(seed: 7)
        let symbols = ["BTC", "ETH", "SOL"].compactMap(Symbol.init)
        var records: [AccountRecord] = []
        for index in 0..<accounts {
            let driver = index % 2 == 0
                ? DriverSettings(kind: .buyAndHold, symbol: symbols[index % 3], intervalSeconds: 3_600)
                : DriverSettings(kind: .random, seed: UInt64(index), intervalSeconds: 3_600)
            records.append(try ledger.createAccount(NewAccount(
                name: "bench-\(index)", driverKind: driver.kind.rawValue, driverSettings: JSON.encode(driver),
                symbols: driver.symbol.map { [$0] } ?? symbols, initialCapital: 10_000), now: Timestamp(milliseconds: start)))
        }
        progress("created \(accounts) accounts")

        var written = 0
        var batch: [SnapshotRecord] = []
        batch.reserveCapacity(100_000)
        var metrics: [AccountID: String] = [:]
        for record in records {
            var statistics = EquityStatistics()
            var equity = 10_000.0
            let drift = (random.nextUnit() - 0.45) * 0.0004
            let volatility = 0.002 + random.nextUnit() * 0.01
            for step in 0..<perAccount {
                let shock = (random.nextUnit() + random.nextUnit() + random.nextUnit() - 1.5) * 2 * volatility
                equity = max(1, equity * (1 + drift + shock))
                let value = FixedDecimal(approximating: equity)?.rounded(decimals: 6) ?? .one
                let time = Timestamp(milliseconds: start + Int64(step) * interval)
                let margin = (value * FixedDecimal(3, exponent: 1)).rounded(decimals: 6)
                statistics.add(equity: value, marginUsed: margin, time: time)
                batch.append(SnapshotRecord(accountID: record.id, time: time, equity: value, cash: value, unrealizedPnl: .zero, marginUsed: margin))
                if batch.count == 100_000 {
                    try ledger.recordSnapshots(batch, metrics: [:], now: time)
                    written += batch.count
                    batch.removeAll(keepingCapacity: true)
                    progress("\(written) snapshots")
                }
            }
            metrics[record.id] = try JSON.encode(statistics)
        }
        try ledger.recordSnapshots(batch, metrics: metrics, now: Timestamp(milliseconds: end))
        written += batch.count
        progress("\(written) snapshots; writing orders, fills and decisions")

        var executions: [ExecutionRecord] = []
        var decisions: [DecisionRecord] = []
        for record in records where ordersPerAccount > 0 {
            var totals = LedgerTotals()
            for sequence in 1...ordersPerAccount {
                let time = Timestamp(milliseconds: start + Int64(sequence) * (year / Int64(ordersPerAccount + 1)))
                let side: Side = sequence % 2 == 1 ? .buy : .sell
                let price = FixedDecimal(approximating: 90_000 + random.nextUnit() * 20_000)?.rounded(decimals: 0) ?? 100_000
                let size = FixedDecimal(1, exponent: 2)
                let cloid = ClientOrderID(account: record.id, sequence: UInt64(sequence))
                let request = OrderRequest(clientOrderID: cloid, symbol: symbols[0], side: side, size: size,
                                           type: .market(slippageBound: OrderType.defaultSlippageBound))
                var order = Order(request: request, status: .filled, submittedAt: time, midAtSubmission: price)
                let fill = Fill(clientOrderID: cloid, symbol: symbols[0], side: side, price: price, size: size,
                                fee: (price * size * FixedDecimal(45, exponent: 5)).rounded(decimals: 6), liquidity: .taker,
                                realizedPnl: side == .sell ? FixedDecimal(approximating: (random.nextUnit() - 0.5) * 200) ?? .zero : .zero,
                                time: time)
                order.record(fill)
                let events: [ExchangeEvent] = [.orderUpdated(order), .filled(fill)]
                totals.add(events)
                decisions.append(DecisionRecord(accountID: record.id, time: time, driverKind: record.driverKind,
                                                reasoning: "seeded", outcome: .accepted, latencyMilliseconds: 1))
                executions.append(ExecutionRecord(accountID: record.id, decisionID: nil, mode: .paper, events: events,
                                                  cash: 10_000, totals: totals, positions: [], orderSequence: UInt64(sequence), time: time))
            }
            if executions.count >= 10_000 {
                try ledger.recordExecutions(executions)
                try ledger.recordDecisions(decisions)
                executions.removeAll(keepingCapacity: true)
                decisions.removeAll(keepingCapacity: true)
            }
        }
        try ledger.recordExecutions(executions)
        try ledger.recordDecisions(decisions)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: #"{"benchmark":"seed","accounts":%d,"snapshots":%d,"orders":%d,"seconds":%.1f}"#,
                     accounts, written, accounts * ordersPerAccount, seconds))
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("seed: \(text)\n".utf8))
    }
}
