import ArenaCore
import Foundation
import PaperExchange
import Storage

/// Fills per second through the paper exchange with the ledger written to SQLite in batched
/// transactions: the path a replay at `--speed max` takes.
func runPaperPersistenceBenchmark(orders: Int, batch: Int, folder: String) throws -> (fillsPerSecond: Double, fills: Int, seconds: Double) {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/bench-\(ProcessInfo.processInfo.processIdentifier).sqlite"
    defer {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let database = try ArenaDatabase(path: path)
    defer { try? database.close() }
    guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
    try Migrator(folder: migrations).migrate(database, now: 0)
    let ledger = LedgerStore(database: database)
    let btc = Symbol("BTC")!
    let account = try ledger.createAccount(NewAccount(name: "bench", driverKind: "bench", symbols: [btc], initialCapital: 1_000_000_000),
                                           now: Timestamp(milliseconds: 0))
    var exchange = PaperExchange(configuration: PaperExchangeConfiguration(), startingCash: 1_000_000_000, seed: 1)
    let snapshot = benchmarkSnapshot(symbol: btc, time: Timestamp(milliseconds: 1))
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

/// A 20-level book around 100,000.
func benchmarkSnapshot(symbol: Symbol, time: Timestamp) -> MarketSnapshot {
    let mid = FixedDecimal(100_000)
    let bids = (1...20).map { BookLevel(price: mid - FixedDecimal($0), size: FixedDecimal(5)) }
    let asks = (1...20).map { BookLevel(price: mid + FixedDecimal($0), size: FixedDecimal(5)) }
    return MarketSnapshot(time: time, quotes: [symbol: Quote(symbol: symbol, mid: mid, mark: mid, book: OrderBook(bids: bids, asks: asks))])
}

func locateMigrations() -> String? {
    var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    for _ in 0..<6 {
        let candidate = folder.appendingPathComponent("migrations")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
        folder.deleteLastPathComponent()
    }
    return nil
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
