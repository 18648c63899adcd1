import ArenaCore

/// A pull-based, deterministic supplier of market states.
///
/// The runtime paces a source itself (real time, a multiple of it, or as fast as possible), so a
/// source never sleeps and never reads the wall clock: each call to `next()` returns the state one
/// step later in the source's own time. Snapshot times never decrease.
public protocol MarketSource: Sendable {
    /// A human-readable description for logs and the page banner, such as
    /// `simulation (seed 42)` or `replay of data/btc.csv`.
    var description: String { get }
    /// Every symbol the source can quote, sorted.
    var symbols: [Symbol] { get }
    /// The instrument of each symbol, whose price grid the source's books respect; the runtime
    /// should trade each symbol with this instrument.
    var instruments: [Symbol: Instrument] { get }
    /// Returns the next market state, or nil once the source is exhausted (the end of a replay).
    /// - Throws: `MarketError` if the source cannot produce a state.
    mutating func next() throws -> MarketSnapshot?
}
