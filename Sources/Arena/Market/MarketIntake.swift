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
    func ingest(_ snapshot: MarketSnapshot, recorder: Recorder) throws {
        latest.withLock { $0 = snapshot }
        state.withLock { $0.ingest(snapshot) }
        try recorder.record([FeedDraft(.price, time: snapshot.time, data: PricesView(
            mids: Dictionary(uniqueKeysWithValues: snapshot.quotes.map { ($0.key.name, $0.value.mid.description) }),
            time: snapshot.time.milliseconds))])
    }

    /// The indicators of every symbol now.
    func indicators() -> [Symbol: SymbolIndicators] {
        state.withLock { state in
            Dictionary(state.allIndicators().map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The newest market state.
    var latestSnapshot: MarketSnapshot? { latest.withLock { $0 } }

    /// Whether the source has run out (the end of a replay).
    var isFinished: Bool { finished.load(ordering: .relaxed) }

    /// Notes that the source has run out.
    func markFinished() { finished.store(true, ordering: .relaxed) }
}
