import ArenaCore

/// A tracked Hyperliquid trader's positions as the tracker last saw them at the venue: what the
/// copy driver mirrors.
public struct TraderPositions: Sendable, Hashable {
    /// One open position.
    public struct Position: Sendable, Hashable {
        public var symbol: Symbol
        /// Signed size in coins: positive long, negative short.
        public var size: FixedDecimal
        public var entryPrice: FixedDecimal

        public init(symbol: Symbol, size: FixedDecimal, entryPrice: FixedDecimal) {
            self.symbol = symbol
            self.size = size
            self.entryPrice = entryPrice
        }
    }

    /// The trader's address: `0x` and 40 lowercase hex digits.
    public var address: String
    /// The trader's account value (USD) at the venue.
    public var accountValue: FixedDecimal
    /// Open positions by coin; a coin without a position is absent.
    public var positions: [Symbol: Position]
    /// When the venue last answered for this trader.
    public var observedAt: Timestamp
    /// The tracking cadence the tracker achieved when it observed (milliseconds between two looks
    /// at this trader); data older than a few of these is stale.
    public var cadenceMilliseconds: Int64

    public init(address: String, accountValue: FixedDecimal, positions: [Symbol: Position], observedAt: Timestamp,
                cadenceMilliseconds: Int64) {
        self.address = address
        self.accountValue = accountValue
        self.positions = positions
        self.observedAt = observedAt
        self.cadenceMilliseconds = cadenceMilliseconds
    }
}

/// Where the copy driver reads the traders it follows (the runtime's trader tracker).
public protocol TraderPositionSource: Sendable {
    /// The latest positions of `address` (`0x` + 40 lowercase hex digits); nil when the tracker
    /// has not observed it yet.
    func latestPositions(of address: String) async -> TraderPositions?
    /// Makes sure `address` is tracked: following an address not yet tracked starts tracking it.
    func follow(_ address: String) async throws
}
