import ArenaCore
import Market

/// A simulated market at a fixed seed with its shared indicator state warmed up on 60 candles of
/// each interval: what a model driver sees in a decision cycle.
public struct TestMarket {
    /// The seeded market.
    public var source: SimulatedMarket
    /// The indicator state fed by `next()`.
    public var state = MarketState()

    /// A market at `seed` starting at `start` (2023-11-14 by default).
    public init(seed: UInt64 = 7, start: Timestamp = Timestamp(milliseconds: 1_700_000_000_000)) throws {
        source = try SimulatedMarket(seed: seed, start: start)
        try state.warmUp(history: source.history(interval: state.intradayInterval, count: 60), interval: state.intradayInterval)
        try state.warmUp(history: source.history(interval: state.longTermInterval, count: 60), interval: state.longTermInterval)
    }

    /// Steps the market and returns the snapshot with the indicators of that moment.
    public mutating func next() throws -> (MarketSnapshot, [Symbol: SymbolIndicators]) {
        guard let snapshot = try source.next() else { throw TestMarketError.ended }
        state.ingest(snapshot)
        return (snapshot, Dictionary(state.allIndicators().map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    private enum TestMarketError: Error { case ended }
}
