import Arena
import ArenaCore
import ArenaTestSupport
import ArenaTestSupportCore
import ArgumentParser
import Foundation
import HTTP
import Hyperliquid
import Logging
import Storage

/// `arena-bench faults`: live accounts (the arena's Hyperliquid executor, recording into a real
/// SQLite ledger) trading against the fake venue while a share of `/exchange` calls fail: time-outs
/// and dropped connections after the venue applied the action, HTTP 500 after applying, HTTP 500
/// and 429 before. Afterwards the venue and the ledger are compared.
struct FaultsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "Trade live accounts against the fake venue with faulted /exchange calls, then check no order was placed twice and the ledger matches the venue.")

    @Option(help: "How long to trade, in minutes.")
    var minutes: Double?
    @Option(help: "How long to trade, in seconds (instead of --minutes).")
    var seconds: Double?
    @Option(help: "How many live accounts.")
    var accounts = 4
    @Option(name: .customLong("fault-rate"), help: "The share of /exchange calls that fail (0 to 1).")
    var faultRate = 0.2
    @Option(help: "The seed of the orders and of the faults.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (minutes ?? 0) >= 0, (seconds ?? 0) >= 0, minutes == nil || seconds == nil else {
            throw ValidationError("give --minutes or --seconds (not both), at least 0.")
        }
        guard (1...16).contains(accounts) else { throw ValidationError("--accounts must be 1 to 16.") }
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be from 0 to 1.") }
    }

    func run() async throws {
        guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
        let duration = seconds ?? (minutes ?? 10) * 60
        let harness = FaultHarness(migrations: migrations, accounts: accounts, faultRate: faultRate, seed: seed)
        let report = try await harness.run(seconds: duration) { print($0) }
        print(report.summaryJSON)
        if !report.violations.isEmpty {
            throw BenchError("the ledger does not match the venue:\n" + report.violations.prefix(20).joined(separator: "\n"))
        }
    }
}

/// The fault harness itself, shared by `arena-bench faults` and its test.
struct FaultHarness: Sendable {
    let migrations: String
    let accounts: Int
    let faultRate: Double
    let seed: UInt64

    static let modes = ["timeout_after", "drop_after", "http500_after", "http500", "rate_limit"]
    static let btc = Symbol("BTC")!

    struct Report: Sendable {
        var orders = 0
        var venueOrders = 0
        var fills = 0
        var exchangeCalls = 0
        var faults: [String: Int] = [:]
        var violations: [String] = []
        var seconds = 0.0

        var summaryJSON: String {
            let faultText = faults.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
            return """
                {"benchmark": "faults", "seconds": \(String(format: "%.1f", seconds)), "orders": \(orders), "venue_orders": \(venueOrders), \
                "fills": \(fills), "exchange_calls": \(exchangeCalls), "faults": {\(faultText)}, "violations": \(violations.count)}
                """
        }
    }

    /// One live account: its executor and what the ledger has been told.
    final class Account: @unchecked Sendable {
        // Used by one task at a time: the harness awaits each step of all accounts before the next.
        let id: AccountID
        let address: EthereumAddress
        let executor: HyperliquidExecutor
        var totals = LedgerTotals()
        var sequence: UInt64 = 0
        var random: SeededGenerator

        init(id: AccountID, address: EthereumAddress, executor: HyperliquidExecutor, seed: UInt64) {
            self.id = id
            self.address = address
            self.executor = executor
            random = SeededGenerator(seed: seed)
        }
    }

    func run(seconds: Double, log: (String) -> Void) async throws -> Report {
        let venue = try await FaultVenue.start()
        let folder = try TemporaryFolder(prefix: "arena-faults-bench")
        let database = try ArenaDatabase(path: folder.path("arena.sqlite"))
        _ = try Migrator(folder: migrations).migrate(database, now: 0)
        let ledger = LedgerStore(database: database)
        let started = ContinuousClock.now
        let endpoint = try HyperliquidEndpoint(network: .testnet, baseURL: venue.baseURL)
        let transport = HyperliquidTransportConfiguration(
            requestTimeout: .milliseconds(800), connectTimeout: .seconds(1),
            retryPolicy: RetryPolicy(maximumAttempts: 3, baseDelay: .milliseconds(20), maximumDelay: .milliseconds(100)))
        var live: [Account] = []
        var universe: HyperliquidUniverse?
        for index in 1...accounts {
            let signer = try Signer(privateKey: [UInt8](repeating: UInt8(0x60 + index), count: 32))
            try await venue.control(["add_user": ["address": signer.address.lowercaseHex, "balance": "1000000"]])
            let record = try ledger.createAccount(NewAccount(name: "live\(index)", driverKind: "bench", symbols: [Self.btc], mode: .live,
                                                             initialCapital: 1_000_000), now: Timestamp(milliseconds: 0))
            let client = HyperliquidExchangeClient(http: venue.http, endpoint: endpoint, signer: signer, nonces: NonceSource(),
                                                   limiter: RequestWeightLimiter(), configuration: transport)
            if universe == nil { universe = HyperliquidUniverse(meta: try await client.info.meta()) }
            guard let universe else { throw BenchError("the fake venue has no universe") }
            let executor = HyperliquidExecutor(
                exchange: client, universe: universe, accountID: record.id, fillsAfter: Timestamp(milliseconds: 0),
                configuration: .init(pollIntervalMilliseconds: 0, fillLookupDelay: .milliseconds(20), deadManSwitchMilliseconds: nil),
                logger: Logger(label: "faults"))
            live.append(Account(id: record.id, address: signer.address, executor: executor, seed: seed &+ UInt64(index)))
        }
        try await venue.control(["fault_rate": ["rate": faultRate, "seed": Int(seed), "modes": Self.modes, "seconds": 1.0]])

        var random = SeededGenerator(seed: seed)
        var time: Int64 = 1_000
        var mid = 65_000.0
        var step = 0
        while Self.seconds(since: started) < seconds {
            step += 1
            time += 1_000
            mid = min(max(mid * (1 + (random.nextUnit() - 0.5) * 0.004), 60_000), 70_000)
            let midText = String(Int(mid))
            try await venue.control(["set_mids": ["BTC": midText]])
            let snapshot = TestMarkets.snapshot(Self.btc, mid: FixedDecimal(Int(mid)), at: time, size: 5, levels: 10)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for account in live {
                    group.addTask { try await self.step(account, snapshot: snapshot, ledger: ledger) }
                }
                try await group.waitForAll()
            }
            if step % 20 == 0 { log("step \(step): \(Int(Self.seconds(since: started))) s, mid \(midText)") }
        }

        // The faults stop; every account reconciles until the venue could be read.
        try await venue.control(["fault_rate": ["rate": 0]])
        time += 1_000
        for account in live {
            for _ in 0..<5 {
                let events = await account.executor.reconcile(at: Timestamp(milliseconds: time))
                try await record(events, of: account, ledger: ledger, time: Timestamp(milliseconds: time))
                if !(await account.executor.needsReconciliation) { break }
            }
        }

        var report = Report()
        let state = try await venue.control()
        let venueOrders = state["orders"] as? [[String: Any]] ?? []
        report.faults = state["faults_injected"] as? [String: Int] ?? [:]
        report.exchangeCalls = (state["requests"] as? [String: Int])?["exchange"] ?? 0
        for account in live {
            report.violations += try await check(account, venueOrders: venueOrders, ledger: ledger,
                                                 info: HyperliquidInfoClient(http: venue.http, endpoint: endpoint, limiter: RequestWeightLimiter()))
        }
        report.venueOrders = venueOrders.count
        report.orders = try ledger.count("orders")
        report.fills = try ledger.count("fills")
        report.seconds = Self.seconds(since: started)
        for violation in report.violations.prefix(20) { log("violation: \(violation)") }
        return report
    }

    /// One step of one account: the market update, then a market order, a resting limit or a cancel.
    func step(_ account: Account, snapshot: MarketSnapshot, ledger: LedgerStore) async throws {
        try await record(await account.executor.apply(snapshot), of: account, ledger: ledger, time: snapshot.time)
        let roll = account.random.nextUnit()
        let side: Side = account.random.next() % 2 == 0 ? .buy : .sell
        let size = FixedDecimal(1, exponent: 3)
        let events: [ExchangeEvent]
        if roll < 0.4 {
            events = await account.executor.submit(nextRequest(account, side: side, size: size,
                                                               type: .market(slippageBound: OrderType.defaultSlippageBound)),
                                                   leverage: nil, at: snapshot.time)
        } else if roll < 0.7 {
            let mid = snapshot[Self.btc]?.mid ?? 65_000
            let offset = FixedDecimal(Int(1 + account.random.next() % 300))
            let price = side == .buy ? mid - offset : mid + offset
            events = await account.executor.submit(nextRequest(account, side: side, size: size, type: .limit(price: price.rounded(decimals: 0), timeInForce: .gtc)),
                                                   leverage: nil, at: snapshot.time)
        } else if let oldest = await account.executor.trackedOrders.first(where: { $0.status != .pending }) {
            events = await account.executor.cancel(oldest.request.clientOrderID, at: snapshot.time)
        } else {
            events = []
        }
        try await record(events, of: account, ledger: ledger, time: snapshot.time)
    }

    func nextRequest(_ account: Account, side: Side, size: FixedDecimal, type: OrderType) -> OrderRequest {
        account.sequence += 1
        return OrderRequest(clientOrderID: ClientOrderID(account: account.id, sequence: account.sequence), symbol: Self.btc, side: side,
                            size: size, type: type, reduceOnly: false, origin: .operator)
    }

    /// Stores what an executor call did, as the arena's recorder does for a live account.
    func record(_ events: [ExchangeEvent], of account: Account, ledger: LedgerStore, time: Timestamp) async throws {
        guard !events.isEmpty else { return }
        account.totals.add(events)
        let state = await account.executor.state()
        try ledger.recordExecutions([ExecutionRecord(
            accountID: account.id, decisionID: nil, mode: .live, events: events, cash: state.cash, totals: account.totals,
            positions: [state.positions[Self.btc] ?? Position(symbol: Self.btc)], orderSequence: account.sequence, time: time)])
    }

    /// The venue against the ledger for one account.
    func check(_ account: Account, venueOrders: [[String: Any]], ledger: LedgerStore, info: HyperliquidInfoClient) async throws -> [String] {
        var violations: [String] = []
        let prefix = String(ClientOrderID(account: account.id, sequence: 0).hex.prefix(18))
        let mine = venueOrders.filter { ($0["user"] as? String) == account.address.lowercaseHex }
        var byCloid: [String: Int] = [:]
        for order in mine {
            guard let cloid = (order["cloid"] as? String)?.lowercased(), cloid.hasPrefix(prefix) else { continue }
            byCloid[cloid, default: 0] += 1
            guard let id = ClientOrderID(hex: cloid), let stored = try ledger.order(clientOrderID: id) else {
                violations.append("account \(account.id.rawValue): venue order \(cloid) is not in the ledger")
                continue
            }
            let venueStatus = order["status"] as? String ?? "?"
            let expected: OrderStatus? = switch venueStatus {
            case "open": .open
            case "filled": .filled
            case "canceled", "marginCanceled", "reduceOnlyCanceled": .canceled
            default: nil
            }
            if let expected, stored.order.status != expected {
                violations.append("account \(account.id.rawValue): order \(cloid) is \(venueStatus) at the venue, \(stored.order.status.rawValue) in the ledger")
            }
            // A filled order at the venue filled its whole size; a resting one has filled none (the
            // fake fills whole orders).
            let original = (order["origSz"] as? String).flatMap(FixedDecimal.init)
            let venueFilled: FixedDecimal? = switch venueStatus {
            case "filled": original
            case "open": .zero
            default: nil
            }
            if let venueFilled, stored.order.filledSize != venueFilled {
                violations.append("account \(account.id.rawValue): order \(cloid) filled \(venueFilled) at the venue, \(stored.order.filledSize) in the ledger")
            }
        }
        for (cloid, count) in byCloid where count > 1 {
            violations.append("account \(account.id.rawValue): order \(cloid) placed \(count) times")
        }
        // Every order the ledger holds as live is live at the venue.
        for stored in try ledger.orders(of: account.id, before: nil, limit: 100_000, statuses: [.pending, .open], symbol: nil)
        where byCloid[stored.order.request.clientOrderID.hex.lowercased()] == nil {
            violations.append("account \(account.id.rawValue): order \(stored.order.request.clientOrderID.hex) is \(stored.order.status.rawValue) in the ledger but unknown to the venue")
        }
        let venueState = try await info.clearinghouseState(user: account.address)
        let venueSize = venueState.assetPositions.first { $0.position.coin == "BTC" }.flatMap { FixedDecimal($0.position.szi) } ?? .zero
        let ledgerSize = try ledger.positions(of: account.id).first { $0.symbol == Self.btc }?.size ?? .zero
        let fills = try ledger.fills(of: account.id, before: nil, limit: 1_000_000)
        let fillSum = fills.reduce(FixedDecimal.zero) { $0 + ($1.fill.side == .buy ? $1.fill.size : -$1.fill.size) }
        if venueSize != ledgerSize || venueSize != fillSum {
            violations.append("account \(account.id.rawValue): BTC position \(venueSize) at the venue, \(ledgerSize) in the ledger, fills sum to \(fillSum)")
        }
        return violations
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// The fake venue (`Tests/Fixtures/hyperliquid/fake_exchange.py`) as a subprocess, with its
/// `/control` door: what the fault harness needs of it.
final class FaultVenue: Sendable {
    let child: ChildProcess
    let baseURL: String
    let http: HTTPClient

    private init(child: ChildProcess, baseURL: String, http: HTTPClient) {
        self.child = child
        self.baseURL = baseURL
        self.http = http
    }

    deinit { http.shutdown() }

    static func start() async throws -> FaultVenue {
        let python = packageFile(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw BenchError("\(python.path) is missing: run make venv-hyperliquid")
        }
        let child = try ChildProcess(executable: python, arguments: [packageFile("Tests/Fixtures/hyperliquid/fake_exchange.py").path, "--port", "0"],
                                     errorOutput: .inherited)
        let line = await child.waitForLine(timeout: .seconds(120)) ?? child.output
        guard line.hasPrefix("listening "), let port = Int(line.dropFirst("listening ".count)) else {
            throw BenchError("the fake exchange did not start (said: \(line))")
        }
        return FaultVenue(child: child, baseURL: "http://127.0.0.1:\(port)", http: try HTTPClient())
    }

    @discardableResult
    func control(_ command: [String: Any] = [:]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: command)
        let response = try await http.execute(HTTPRequest(method: .post, url: baseURL + "/control",
                                                          headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(body)))
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw BenchError("the fake venue's control answered \(response.status)")
        }
        return object
    }
}
