import ArenaCore

/// One coin as a trader's API shows it: the venue's rules and the market now.
public struct MarketSummary: Sendable {
    public var instrument: Instrument
    public var quote: Quote
    /// Coins traded in the last 24 hours of market time (as far as the source reports volume).
    public var volume24h: FixedDecimal
    /// The same volume valued at each update's mid, in USD.
    public var volumeUSD24h: FixedDecimal
    /// When the quote was taken (market time).
    public var time: Timestamp
}

/// How the server stands: what it is, how long it has run, and how its market source is doing.
public struct ServerStatus: Sendable {
    /// What the market source is doing now.
    public enum MarketState: String, Sendable {
        /// No market data has arrived yet.
        case waiting
        /// Updates arrive.
        case running
        /// No update for `MarketIntake.stallSeconds` of real time.
        case stalled
        /// The source has run out (the end of a replay); the server keeps serving.
        case finished
    }

    public var version: String
    public var startedAt: Timestamp
    public var uptimeSeconds: Int64
    public var market: String
    public var marketState: MarketState
    /// Market time of the newest update.
    public var marketTime: Timestamp?
    /// Real seconds since the newest update arrived.
    public var secondsSinceUpdate: Double?
}

/// The arena's version, reported by `/health`.
public enum ArenaVersion {
    public static let current = "0.3.0"
}

/// Traded volume over a sliding 24 hours of market time, kept in one-minute buckets so memory
/// stays bounded whatever the update rate.
struct RollingVolume: Sendable {
    private var buckets: [(minute: Int64, coins: FixedDecimal, usd: FixedDecimal)] = []
    private var start = 0
    private(set) var coins = FixedDecimal.zero
    private(set) var usd = FixedDecimal.zero

    /// Adds an update's volume at `time`, then drops what has left the window.
    mutating func add(coins traded: FixedDecimal, at price: FixedDecimal, time: Timestamp) {
        let minute = time.milliseconds / 60_000
        let value = traded * price
        if let last = buckets.last, last.minute == minute {
            buckets[buckets.count - 1].coins += traded
            buckets[buckets.count - 1].usd += value
        } else {
            buckets.append((minute, traded, value))
        }
        coins += traded
        usd += value
        while start < buckets.count, buckets[start].minute <= minute - 24 * 60 {
            coins -= buckets[start].coins
            usd -= buckets[start].usd
            start += 1
        }
        if start > 1_024 {
            buckets.removeFirst(start)
            start = 0
        }
    }
}
