import Arena
import ArenaCore
import ArenaTestSupport
import ArgumentParser
import Foundation
import HTTP
import Hyperliquid
import Logging
import Storage

/// `arena-bench traders`: the trader tracker following many traders against the fake venue with
/// the venue's weight limit (1200 a minute, 429 beyond), while a live account places an order
/// every second on the same budget. Reports the cadence the tracker achieves, the venue's 429s,
/// and the live orders' latency and limiter waits without and then with the tracker.
struct TradersBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traders",
        abstract: "Track many traders against the fake venue's weight limit beside a live account; report the cadence and whether live orders waited.")

    @Option(help: "How many traders to track.")
    var traders = 1_000
    @Option(help: "Seconds of tracking (after the baseline).")
    var seconds = 240
    @Option(name: .customLong("baseline-seconds"), help: "Seconds of live orders without the tracker first.")
    var baselineSeconds = 20
    @Option(name: .customLong("track-seconds"), help: "The cadence asked of the tracker.")
    var trackSeconds = 60
    @Option(name: .customLong("weight-limit"), help: "The fake venue's weight a minute.")
    var weightLimit = RequestWeight.perMinute

    func validate() throws {
        guard (1...20_000).contains(traders) else { throw ValidationError("--traders must be 1 to 20000.") }
        guard (10...7_200).contains(seconds), (0...600).contains(baselineSeconds) else {
            throw ValidationError("--seconds must be 10 to 7200 and --baseline-seconds 0 to 600.")
        }
        guard (1...3_600).contains(trackSeconds) else { throw ValidationError("--track-seconds must be 1 to 3600.") }
    }

    func run() async throws {
        guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
        let venue = try await FaultVenue.start()
        let folder = try TemporaryFolder(prefix: "arena-traders-bench")
        let database = try ArenaDatabase(path: folder.path("arena.sqlite"))
        _ = try Migrator(folder: migrations).migrate(database, now: 0)
        let ledger = LedgerStore(database: database)
        let clock = SystemClock()

        // The traders, at the venue and in the ledger.
        var specs: [[String: Any]] = []
        for index in 0..<traders {
            let address = "0x" + String(format: "%040x", 0xA000_0000 + index)
            specs.append(["address": address, "account_value": "\(1_000 + index)",
                          "positions": ["BTC": ["szi": index % 2 == 0 ? "0.1" : "-0.1", "entryPx": "65000"]]])
            _ = try ledger.addTrader(address: address, source: .operator, now: clock.now())
        }
        try await venue.control(["set_trader": specs])
        try await venue.control(["weight_limit": weightLimit])

        // The live account, on the same weight budget as the tracker.
        let limiter = RequestWeightLimiter(capacity: weightLimit, refillPerMinute: weightLimit)
        let signer = try Signer(privateKey: [UInt8](repeating: 0x71, count: 32))
        try await venue.control(["add_user": ["address": signer.address.lowercaseHex, "balance": "1000000"]])
        let endpoint = try HyperliquidEndpoint(network: .testnet, baseURL: venue.baseURL)
        let exchange = HyperliquidExchangeClient(http: venue.http, endpoint: endpoint, signer: signer, nonces: NonceSource(), limiter: limiter)

        print("{\"phase\": \"baseline\", \"seconds\": \(baselineSeconds)}")
        let baseline = try await placeOrders(exchange, limiter: limiter, seconds: baselineSeconds)

        let configuration = TraderTrackingConfiguration(coins: ["BTC"], discoverSeconds: 3_600, trackSeconds: trackSeconds)
        let book = TraderBook(ledger: ledger, status: configuration.status(enabled: true), clock: clock)
        var logger = Logger(label: "traders-bench")
        logger.logLevel = .notice
        let tracker = TraderTracker(book: book, recorder: try Recorder(ledger: ledger),
                                    info: TraderTracker.infoClient(http: venue.http, endpoint: endpoint, limiter: limiter,
                                                                   configuration: configuration),
                                    configuration: configuration, clock: clock, logger: logger)
        let tracking = Task { try await tracker.run() }
        print("{\"phase\": \"tracking\", \"traders\": \(traders), \"seconds\": \(seconds)}")
        let started = ContinuousClock.now
        let loaded = try await placeOrders(exchange, limiter: limiter, seconds: seconds)
        tracking.cancel()
        _ = try? await tracking.value
        let elapsed = ContinuousClock.now - started
        let state = try await venue.control()
        let looks = (state["info_types"] as? [String: Int])?["clearinghouseState"] ?? 0
        let status = book.status
        let elapsedSeconds = Double(elapsed.components.seconds)
        let observed = try ledger.traders().filter { $0.lastTracked != nil }.count
        print("""
            {"benchmark": "traders", "traders": \(traders), "asked_cadence_seconds": \(trackSeconds), \
            "achieved_cadence_seconds": \(status.achieved_cadence_seconds.map { String($0) } ?? "null"), \
            "looks": \(looks), "looks_per_minute": \(String(format: "%.1f", Double(looks) / max(elapsedSeconds, 1) * 60)), \
            "traders_looked_at": \(observed), "venue_429": \(state["rate_limited"] as? Int ?? -1), \
            "venue_weight_used": \(state["weight_used"] as? Int ?? -1), \
            "orders_without_tracker": \(baseline.summary), "orders_with_tracker": \(loaded.summary)}
            """)
    }

    /// Latencies of live orders and how many found the budget in debt (the only case a trading request waits).
    struct OrderStats {
        var latencies: [Double] = []
        var waited = 0
        var failed = 0

        var summary: String {
            let sorted = latencies.sorted()
            func quantile(_ q: Double) -> String {
                sorted.isEmpty ? "null" : String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))])
            }
            return "{\"orders\": \(latencies.count), \"failed\": \(failed), \"waited_on_limiter\": \(waited), "
                + "\"p50_ms\": \(quantile(0.5)), \"p99_ms\": \(quantile(0.99)), \"max_ms\": \(sorted.last.map { String(format: "%.1f", $0) } ?? "null")}"
        }
    }

    /// Places a resting buy far below the market every second for `seconds`.
    func placeOrders(_ exchange: HyperliquidExchangeClient, limiter: RequestWeightLimiter, seconds: Int) async throws -> OrderStats {
        var stats = OrderStats()
        let end = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < end {
            if limiter.available < 1 { stats.waited += 1 }
            let start = ContinuousClock.now
            do {
                _ = try await exchange.placeOrders([OrderWire(asset: 0, isBuy: true, price: FixedDecimal(10_000), size: FixedDecimal(1, exponent: 3),
                                                              reduceOnly: false, type: .limit(.gtc))])
                let elapsed = ContinuousClock.now - start
                stats.latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            } catch {
                stats.failed += 1
            }
            try await Task.sleep(for: .seconds(1))
        }
        return stats
    }
}
