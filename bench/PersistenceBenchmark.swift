import ArenaCore
import ArenaTestSupport
import ArenaTestSupportCore
import ArenaTestSupportLedger
import Foundation
import PaperExchange
import Storage

/// Fills per second through the paper exchange with the ledger written to SQLite in batched
/// transactions: the path a replay at `--speed max` takes.
func runPaperPersistenceBenchmark(orders: Int, batch: Int, folder: String) throws -> (fillsPerSecond: Double, fills: Int, seconds: Double) {
    guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
    let test = try TestLedger(prefix: "bench", in: URL(fileURLWithPath: folder), migrations: migrations)
    defer { withExtendedLifetime(test) {} }
    let ledger = test.ledger
    let btc = Symbol("BTC")!
    let account = try ledger.createAccount(NewAccount(name: "bench", driverKind: "bench", symbols: [btc], initialCapital: 1_000_000_000),
                                           now: Timestamp(milliseconds: 0))
    var exchange = PaperExchange(configuration: PaperExchangeConfiguration(), startingCash: 1_000_000_000, seed: 1)
    let snapshot = TestMarkets.snapshot(btc, mid: 100_000, at: 1, size: 5, levels: 20)
    var totals = LedgerTotals()
    var pending: [ExecutionRecord] = []
    pending.reserveCapacity(batch)
    var fills = 0
    let start = ContinuousClock.now
    for index in 0..<orders {
        _ = exchange.apply(snapshot)
        let request = OrderRequest(clientOrderID: ClientOrderID(account: account.id, sequence: UInt64(index + 1)), symbol: btc,
                                   side: index % 2 == 0 ? .buy : .sell, size: FixedDecimal(1, exponent: 2),
                                   type: .market(slippageBound: OrderType.defaultSlippageBound))
        let events = exchange.submit(request, at: snapshot.time)
        totals.add(events)
        for event in events { if case .filled = event { fills += 1 } }
        let state = exchange.accountState()
        pending.append(ExecutionRecord(accountID: account.id, decisionID: nil, mode: .paper, events: events, cash: state.cash,
                                       totals: totals, positions: [state.positions[btc] ?? Position(symbol: btc)],
                                       orderSequence: UInt64(index + 1), time: snapshot.time))
        if pending.count == batch {
            try ledger.recordExecutions(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }
    try ledger.recordExecutions(pending)
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    guard try ledger.count("fills") == fills else { throw BenchError("the ledger holds a different number of fills than were made") }
    return (Double(fills) / seconds, fills, seconds)
}

/// The repository's `migrations/` folder: the nearest above the working folder, else the one of
/// the source tree this benchmark was built from.
func locateMigrations() -> String? {
    if let found = findFolder(containing: "migrations", above: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        return found.appendingPathComponent("migrations").path
    }
    return FileManager.default.fileExists(atPath: packageMigrations) ? packageMigrations : nil
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
