import ArenaCore
import HummingbirdWSClient
import Logging
import ServiceLifecycle
import Synchronization

/// The venue's public market data over its WebSocket, kept current in memory: mids, books, trades
/// and candles of the chosen coins. A `Service`: `run()` connects, subscribes, sends a ping before
/// the venue's 60-second idle limit, and on any disconnection reconnects with exponential backoff,
/// fills what it missed from REST, and subscribes again.
public final class HyperliquidMarketFeed: Service, Sendable {
    /// How the feed connects.
    public struct Configuration: Sendable {
        /// The venue's URLs.
        public var endpoint: HyperliquidEndpoint
        /// The coins to follow, as the venue names them.
        public var coins: [String]
        /// The candle interval subscribed to.
        public var candleInterval: String
        /// How often a ping is sent; below the venue's 60-second idle limit.
        public var heartbeatInterval: Duration
        /// A connection silent this long is taken as dead and replaced.
        public var staleAfter: Duration
        /// The first reconnection delay; doubled per failure up to `maximumReconnectDelay`.
        public var reconnectBaseDelay: Duration
        /// The longest reconnection delay.
        public var maximumReconnectDelay: Duration
        /// How often funding, marks and open interest are read again over REST.
        public var contextRefreshInterval: Duration
        /// The largest message accepted.
        public var maximumMessageBytes: Int

        /// Creates a configuration.
        public init(endpoint: HyperliquidEndpoint, coins: [String], candleInterval: String = "1m", heartbeatInterval: Duration = .seconds(50),
                    staleAfter: Duration = .seconds(90), reconnectBaseDelay: Duration = .milliseconds(500),
                    maximumReconnectDelay: Duration = .seconds(30), contextRefreshInterval: Duration = .seconds(60),
                    maximumMessageBytes: Int = 4 << 20) {
            self.endpoint = endpoint
            self.coins = coins
            self.candleInterval = candleInterval
            self.heartbeatInterval = heartbeatInterval
            self.staleAfter = staleAfter
            self.reconnectBaseDelay = reconnectBaseDelay
            self.maximumReconnectDelay = maximumReconnectDelay
            self.contextRefreshInterval = contextRefreshInterval
            self.maximumMessageBytes = maximumMessageBytes
        }
    }

    /// Counters for logs and tests.
    public struct Statistics: Sendable, Equatable {
        /// Connections opened.
        public var connections = 0
        /// Gap fills from REST after a reconnection.
        public var gapFills = 0
        /// Pings sent.
        public var pings = 0
        /// Messages received.
        public var messages = 0
    }

    /// How the feed connects.
    public let configuration: Configuration
    private let info: HyperliquidInfoClient
    private let logger: Logger
    private let state = Mutex(HyperliquidFeedState())
    private let statistics = Mutex(Statistics())
    private let lastInbound = Mutex<ContinuousClock.Instant>(.now)

    /// Creates a feed; nothing connects until `run()`.
    public init(configuration: Configuration, info: HyperliquidInfoClient, logger: Logger) {
        self.configuration = configuration
        self.info = info
        var logger = logger
        logger[metadataKey: "feed"] = "hyperliquid"
        self.logger = logger
    }

    /// What the feed knows now.
    public var current: HyperliquidFeedState { state.withLock { $0 } }

    /// Counters so far.
    public var counters: Statistics { statistics.withLock { $0 } }

    /// Returns the state now and restarts the volume counts, in one step.
    public func takeState() -> HyperliquidFeedState {
        state.withLock { state in
            let copy = state
            state.volumes = [:]
            return copy
        }
    }

    /// Takes one message into the state, as the socket loop does for each frame.
    public func apply(_ message: HyperliquidFeedMessage) {
        let wanted = Set(configuration.coins)
        state.withLock { $0.apply(message, coins: wanted) }
    }

    /// Takes the asset contexts of a `metaAndAssetCtxs` answer into the state.
    public func apply(_ contexts: PerpMetaAndAssetContexts) {
        state.withLock { $0.apply(contexts) }
    }

    /// Reads the market over REST: asset contexts, mids and each coin's book. Used before the first
    /// connection and to fill the gap after a reconnection.
    /// - Throws: `HyperliquidClientError` or `CancellationError` when the venue cannot be read.
    public func loadFromREST() async throws {
        let contexts = try await info.metaAndAssetContexts()
        let mids = try await info.allMids()
        var books: [L2BookSnapshot] = []
        for coin in configuration.coins { books.append(try await info.l2Book(coin: coin)) }
        let wanted = Set(configuration.coins)
        state.withLock { state in
            state.apply(contexts)
            state.apply(.allMids(mids), coins: wanted)
            for book in books { state.apply(.l2Book(book), coins: wanted) }
        }
    }

    /// Reads each coin's candles of the last few intervals over REST, keeping the newest; a coin
    /// whose candles cannot be read keeps what it had.
    func loadRecentCandles() async {
        guard let interval = Self.milliseconds(ofInterval: configuration.candleInterval) else { return }
        let now = Timestamp(milliseconds: Int64(NonceSource.systemMilliseconds()))
        for coin in configuration.coins {
            guard let candles = try? await info.candleSnapshot(coin: coin, interval: configuration.candleInterval,
                                                               startTime: now.adding(milliseconds: -3 * interval), endTime: now),
                  let newest = candles.max(by: { $0.t < $1.t })
            else { continue }
            apply(.candle(newest))
        }
    }

    /// The length of a candle interval such as `1m`, `15m`, `4h` or `1d`, in milliseconds.
    static func milliseconds(ofInterval interval: String) -> Int64? {
        guard let unit = interval.last, let count = Int64(interval.dropLast()), count > 0 else { return nil }
        switch unit {
        case "m": return count * 60_000
        case "h": return count * 3_600_000
        case "d": return count * 86_400_000
        case "w": return count * 604_800_000
        default: return nil
        }
    }

    /// Connects and keeps connecting until the service is asked to stop; then returns normally.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.refreshContextsForever() }
                group.addTask { await self.connectForever() }
            }
        }
    }

    private func refreshContextsForever() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.contextRefreshInterval)
            } catch {
                return
            }
            do {
                let contexts = try await info.metaAndAssetContexts()
                state.withLock { $0.apply(contexts) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("could not refresh the asset contexts", metadata: ["error": "\(error)"])
            }
        }
    }

    private func connectForever() async {
        var failures = 0
        while !Task.isCancelled {
            let connectedBefore = counters.connections
            do {
                try await connectOnce()
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("the market feed connection failed", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { return }
            failures = counters.connections > connectedBefore ? 1 : failures + 1
            let delay = Self.backoff(failure: failures, base: configuration.reconnectBaseDelay, maximum: configuration.maximumReconnectDelay,
                                     random: Double.random(in: 0.5..<1))
            logger.info("reconnecting to the market feed", metadata: ["delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)"])
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
        }
    }

    /// Returns the wait before reconnection attempt `failure` (1-based): `base · 2^(failure-1)`,
    /// at most `maximum`, times `random` (a jitter factor, 0.5 to 1).
    public static func backoff(failure: Int, base: Duration, maximum: Duration, random: Double) -> Duration {
        let exponent = min(max(failure - 1, 0), 20)
        let ceiling = min(maximum, base * (1 << exponent))
        return ceiling * min(max(random, 0), 1)
    }

    private func connectOnce() async throws {
        let url = configuration.endpoint.webSocketURL
        let subscriptions = subscriptionList()
        let wanted = Set(configuration.coins)
        var clientConfiguration = WebSocketClientConfiguration()
        clientConfiguration.maxFrameSize = configuration.maximumMessageBytes
        try await WebSocketClient.connect(url: url, configuration: clientConfiguration, logger: logger) { inbound, outbound, _ in
            let reconnection = self.statistics.withLock { statistics in
                statistics.connections += 1
                return statistics.connections > 1
            }
            self.lastInbound.withLock { $0 = .now }
            self.logger.info("market feed connected", metadata: ["url": "\(url)", "reconnection": "\(reconnection)"])
            for subscription in subscriptions {
                try await outbound.writeTextMessage(subscription.subscribeMessage)
            }
            if reconnection {
                // Subscribed first, so nothing falls between the REST read and the stream.
                do {
                    try await self.loadFromREST()
                    await self.loadRecentCandles()
                    self.statistics.withLock { $0.gapFills += 1 }
                } catch {
                    self.logger.warning("could not fill the gap after reconnecting", metadata: ["error": "\(error)"])
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await self.heartbeat(outbound)
                }
                group.addTask {
                    for try await message in inbound.messages(maxSize: self.configuration.maximumMessageBytes) {
                        guard case .text(let text) = message else { continue }
                        self.lastInbound.withLock { $0 = .now }
                        self.statistics.withLock { $0.messages += 1 }
                        do {
                            let parsed = try HyperliquidFeedMessage.parse(text)
                            if case .error(let reason) = parsed {
                                self.logger.warning("the market feed reported an error", metadata: ["reason": "\(reason)"])
                            }
                            self.state.withLock { $0.apply(parsed, coins: wanted) }
                        } catch {
                            self.state.withLock { $0.malformedMessages += 1 }
                        }
                    }
                }
                // Whichever ends first (the stream closing, or the heartbeat finding it silent)
                // ends this connection.
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    private func heartbeat(_ outbound: WebSocketOutboundWriter) async throws {
        let tick = min(configuration.heartbeatInterval, .seconds(1))
        var lastPing = ContinuousClock.now
        while !Task.isCancelled {
            try await Task.sleep(for: tick)
            let now = ContinuousClock.now
            if now - lastInbound.withLock({ $0 }) >= configuration.staleAfter {
                logger.warning("the market feed went silent; reconnecting")
                try? await outbound.close(.goingAway, reason: "silent")
                return
            }
            if now - lastPing >= configuration.heartbeatInterval {
                try await outbound.writeTextMessage(HyperliquidSubscription.pingMessage)
                statistics.withLock { $0.pings += 1 }
                lastPing = now
            }
        }
    }

    func subscriptionList() -> [HyperliquidSubscription] {
        var list: [HyperliquidSubscription] = [.allMids]
        for coin in configuration.coins {
            list.append(.l2Book(coin: coin))
            list.append(.trades(coin: coin))
            list.append(.candle(coin: coin, interval: configuration.candleInterval))
        }
        return list
    }
}
