import ArenaCore
import HTTP
import Hyperliquid
import Logging

/// Live Hyperliquid market data as a `MarketSource`.
///
/// The venue pushes; the runtime pulls. The `HyperliquidMarketFeed` (a service run beside the
/// arena) keeps the newest books, mids, candles and asset contexts in memory; each `next()`
/// returns that state one fixed step later in market time, and never waits: the runtime's pacing
/// (real time at speed 1) does the waiting, so market time follows the wall clock from the start
/// time given. A symbol whose feed data is missing or unreadable keeps its previous quote.
public struct HyperliquidMarket: MarketSource {
    /// The feed this source reads; run it as a service.
    public let feed: HyperliquidMarketFeed
    /// The venue's perpetuals.
    public let universe: HyperliquidUniverse
    /// The symbols quoted, sorted.
    public let symbols: [Symbol]
    /// The venue's instruments of the quoted symbols.
    public let instruments: [Symbol: Instrument]
    /// For logs and the page banner.
    public let description: String
    private let stepMilliseconds: Int64
    private var time: Timestamp
    private var previous: [Symbol: Quote] = [:]

    /// Creates a source over a feed whose state is already loaded.
    /// - Throws: `MarketError.invalidConfiguration` when no wanted symbol is listed by the venue.
    public init(feed: HyperliquidMarketFeed, universe: HyperliquidUniverse, symbols wanted: [Symbol], start: Timestamp,
                stepMilliseconds: Int64 = 1_000) throws {
        let listed = wanted.filter { universe.asset(for: $0) != nil }
        guard !listed.isEmpty else { throw MarketError.invalidConfiguration("none of the symbols is listed on Hyperliquid") }
        guard stepMilliseconds > 0 else { throw MarketError.invalidConfiguration("the step must be positive") }
        self.feed = feed
        self.universe = universe
        symbols = Array(Set(listed)).sorted()
        instruments = universe.instruments.filter { listed.contains($0.key) }
        description = "Hyperliquid \(feed.configuration.endpoint.network.rawValue) (live)"
        self.stepMilliseconds = stepMilliseconds
        time = start.adding(milliseconds: -stepMilliseconds)
    }

    /// Returns the feed's state one step later; never nil (a live market does not end).
    public mutating func next() throws -> MarketSnapshot? {
        time = time.adding(milliseconds: stepMilliseconds)
        let state = feed.takeState()
        var quotes: [Symbol: Quote] = [:]
        for symbol in symbols {
            guard let coin = universe.asset(for: symbol)?.coin else { continue }
            if let quote = try? HyperliquidConversion.quote(symbol: symbol, context: state.contexts[coin], book: state.books[coin],
                                                            mid: state.mids[coin], volume: state.volumes[coin] ?? .zero) {
                quotes[symbol] = quote
            } else if let quote = previous[symbol] {
                quotes[symbol] = quote
            }
        }
        previous = quotes
        return MarketSnapshot(time: time, quotes: quotes)
    }
}

/// A market source shown under another description, such as the simulation that replaces an
/// unreachable venue.
public struct RelabeledMarketSource: MarketSource {
    private var base: any MarketSource
    /// The description shown instead of the base's.
    public let description: String

    /// Wraps `base`, shown as `description`.
    public init(_ base: any MarketSource, description: String) {
        self.base = base
        self.description = description
    }

    /// The base's symbols.
    public var symbols: [Symbol] { base.symbols }
    /// The base's instruments.
    public var instruments: [Symbol: Instrument] { base.instruments }
    /// The base's next state.
    public mutating func next() throws -> MarketSnapshot? { try base.next() }
}

/// Chooses the arena's market: live Hyperliquid when it answers in time, else the simulation,
/// saying so in the description that the log, `/health` and the page banner show.
public enum LiveMarketSelection {
    /// What was chosen.
    public struct Choice: Sendable {
        /// The source to run.
        public let source: any MarketSource
        /// The feed to run as a service beside the arena; nil for the fallback.
        public let feed: HyperliquidMarketFeed?
        /// Why the venue was not used, for the log; nil when it was.
        public let fallbackReason: String?
    }

    /// Loads the venue's universe, books and mids within `timeout` and returns a live source over a
    /// feed of `symbols`; when that fails, returns the seeded simulation, described as
    /// `simulation (seed N; fallback: Hyperliquid unreachable)`.
    /// - Throws: `MarketError` only when the simulation itself cannot be built.
    public static func hyperliquidOrSimulation(endpoint: HyperliquidEndpoint, symbols: [Symbol], seed: UInt64, start: Timestamp,
                                               timeout: Duration = .seconds(5), http: HTTPClient? = nil,
                                               limiter: RequestWeightLimiter = RequestWeightLimiter(), logger: Logger) async throws -> Choice {
        do {
            let client = try http ?? HTTPClient()
            let transport = HyperliquidTransportConfiguration(requestTimeout: timeout, connectTimeout: timeout,
                                                              retryPolicy: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(200)))
            let info = HyperliquidInfoClient(http: client, endpoint: endpoint, limiter: limiter, configuration: transport)
            let feedInfo = HyperliquidInfoClient(http: client, endpoint: endpoint, limiter: limiter)
            let (universe, feed) = try await withDeadline(timeout) {
                let universe = HyperliquidUniverse(meta: try await info.meta())
                let coins = symbols.compactMap { universe.asset(for: $0)?.coin }
                let feed = HyperliquidMarketFeed(configuration: .init(endpoint: endpoint, coins: coins), info: feedInfo, logger: logger)
                try await feed.loadFromREST()
                return (universe, feed)
            }
            let source = try HyperliquidMarket(feed: feed, universe: universe, symbols: symbols, start: start)
            return Choice(source: source, feed: feed, fallbackReason: nil)
        } catch {
            let simulation = try SimulatedMarket(seed: seed, start: start)
            let source = RelabeledMarketSource(simulation, description: "simulation (seed \(seed); fallback: Hyperliquid unreachable)")
            return Choice(source: source, feed: nil, fallbackReason: "\(error)")
        }
    }

    /// Runs `work`, failing with `MarketError.invalidConfiguration` when it takes longer than `timeout`.
    static func withDeadline<Value: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw MarketError.invalidConfiguration("Hyperliquid did not answer within \(timeout)")
            }
            return value
        }
    }
}
