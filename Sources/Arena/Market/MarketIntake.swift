import ArenaCore
import Market
import Synchronization

/// The market's way into the arena: holds the source until the scheduler takes it, keeps the
/// newest snapshot and the candles and indicators every account shares, and records each step's
/// prices on the feed.
final class MarketIntake: Sendable {
    /// What the market is, for logs and the page banner.
    let description: String
    /// The venue's rules per symbol, as the source knows them.
    let instruments: [Symbol: Instrument]
    private let source: Mutex<(any MarketSource)?>
    private let latest = Mutex<MarketSnapshot?>(nil)
    /// Candles and indicators, fed once per market update and shared by every account.
    private let state: Mutex<MarketState>
    private let finished = Atomic<Bool>(false)
    /// Each coin's volume over the last 24 hours of market time.
    private let volumes = Mutex<[Symbol: RollingVolume]>([:])
    /// When the newest update arrived (real time).
    private let lastArrival = Mutex<ContinuousClock.Instant?>(nil)

    /// Real seconds without an update after which the source counts as stalled.
    static let stallSeconds = 30.0

    /// Takes a market source; a simulated one first gives its history, so indicators are mature
    /// from the first decision.
    /// - Throws: An error of the source's history.
    init(source: any MarketSource) throws {
        var state = MarketState()
        if let simulated = source as? SimulatedMarket {
            // A 4-hour EMA50 needs eight days of candles.
            try state.warmUp(history: simulated.history(interval: state.intradayInterval, count: 100), interval: state.intradayInterval)
            try state.warmUp(history: simulated.history(interval: state.longTermInterval, count: 100), interval: state.longTermInterval)
        }
        self.state = Mutex(state)
        description = source.description
        instruments = source.instruments
        self.source = Mutex(source)
    }

    /// Hands the source to the one loop that pulls it; nil after the first call.
    func takeSource() -> (any MarketSource)? { source.withLock { $0.take() } }

    /// Takes a market step in: the newest snapshot, the shared indicators, and the prices on the feed.
    /// - Throws: A storage error recording the prices (the step is taken in all the same).
    func ingest(_ snapshot: MarketSnapshot, recorder: Recorder?) throws {
        latest.withLock { $0 = snapshot }
        lastArrival.withLock { $0 = ContinuousClock.now }
        state.withLock { $0.ingest(snapshot) }
        volumes.withLock { volumes in
            for (symbol, quote) in snapshot.quotes {
                volumes[symbol, default: RollingVolume()].add(coins: quote.volume, at: quote.mid, time: snapshot.time)
            }
        }
        try recorder?.record([FeedDraft(.price, time: snapshot.time, data: PricesView(
            mids: Dictionary(uniqueKeysWithValues: snapshot.quotes.map { ($0.key.name, $0.value.mid.description) }),
            time: snapshot.time.milliseconds))])
    }

    /// The indicators of every symbol now.
    func indicators() -> [Symbol: SymbolIndicators] {
        state.withLock { state in
            Dictionary(state.allIndicators().map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Every coin of the newest update, with the venue's rules and its 24-hour volume, by name.
    func summaries() -> [MarketSummary] {
        guard let snapshot = latestSnapshot else { return [] }
        let volumes = volumes.withLock { $0 }
        return snapshot.quotes.values.sorted { $0.symbol < $1.symbol }.map { quote in
            let volume = volumes[quote.symbol] ?? RollingVolume()
            return MarketSummary(instrument: instruments[quote.symbol] ?? Instrument.defaultInstrument(for: quote.symbol), quote: quote,
                                 volume24h: volume.coins, volumeUSD24h: volume.usd, time: snapshot.time)
        }
    }

    /// How the source is doing, for `/health`.
    func status(version: String, startedAt: (wall: Timestamp, instant: ContinuousClock.Instant)) -> ServerStatus {
        let sinceUpdate = lastArrival.withLock { $0 }.map { arrival in
            let elapsed = ContinuousClock.now - arrival
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        let state: ServerStatus.MarketState
        if isFinished {
            state = .finished
        } else if let sinceUpdate {
            state = sinceUpdate > Self.stallSeconds ? .stalled : .running
        } else {
            state = .waiting
        }
        let uptime = ContinuousClock.now - startedAt.instant
        return ServerStatus(version: version, startedAt: startedAt.wall, uptimeSeconds: uptime.components.seconds, market: description,
                            marketState: state, marketTime: latestSnapshot?.time,
                            secondsSinceUpdate: sinceUpdate.map { ($0 * 1000).rounded() / 1000 })
    }

    /// The newest market state.
    var latestSnapshot: MarketSnapshot? { latest.withLock { $0 } }

    /// Whether the source has run out (the end of a replay).
    var isFinished: Bool { finished.load(ordering: .relaxed) }

    /// Notes that the source has run out.
    func markFinished() { finished.store(true, ordering: .relaxed) }
}
