import ArenaCore
import Storage

/// A tracked trader as `/api/traders` shows it.
public struct TraderView: Encodable, Sendable, Hashable {
    /// One open position.
    public struct PositionView: Encodable, Sendable, Hashable {
        public var symbol: String
        /// `long` or `short`.
        public var side: String
        /// The absolute size.
        public var size: String
        public var entry_price: String?
    }

    /// The seed's metrics; README ("Tracked traders") says how each is computed.
    public struct Metrics: Encodable, Sendable, Hashable {
        /// Whole days since the oldest fill seen; null before any.
        public var account_age_days: Int?
        /// USD notional of the fills seen.
        public var total_volume: String
        /// Share of fills with realised PnL whose PnL was positive, 0 to 1.
        public var win_rate: Double?
        /// Mean of margin used over account value across the looks, 0 to 1 and more with leverage.
        public var average_risk_ratio: Double?
        /// Deepest fall of the account value from its peak, as a fraction.
        public var max_drawdown: Double?
        /// Best realised PnL of one fill.
        public var max_profit: String?
        /// Worst realised PnL of one fill.
        public var max_loss: String?
    }

    public var id: Int64
    public var address: String
    /// `discovered`, `operator` or `copy`.
    public var source: String
    public var active: Bool
    public var deactivated_reason: String?
    public var first_seen: Int64
    public var last_tracked: Int64?
    public var account_value: String?
    public var positions: [PositionView]
    public var metrics: Metrics
    /// The copy accounts following this trader.
    public var followers: [Int64]

    /// The view of `trader` with its positions and followers, its age counted up to `now`.
    public init(_ trader: TraderRecord, positions: [TraderPositionRecord], followers: [Int64], now: Timestamp) {
        id = trader.id
        address = trader.address
        source = trader.source.rawValue
        active = trader.active
        deactivated_reason = trader.deactivatedReason
        first_seen = trader.firstSeen.milliseconds
        last_tracked = trader.lastTracked?.milliseconds
        account_value = trader.accountValue?.description
        self.positions = positions.filter { $0.size != .zero }.sorted { $0.symbol < $1.symbol }.map {
            PositionView(symbol: $0.symbol.name, side: $0.size > .zero ? "long" : "short",
                         size: ($0.size < .zero ? -$0.size : $0.size).description, entry_price: $0.entryPrice?.description)
        }
        metrics = Self.metrics(of: trader, now: now)
        self.followers = followers
    }

    /// The metrics of `trader` as of `now`.
    public static func metrics(of trader: TraderRecord, now: Timestamp) -> Metrics {
        let day: Int64 = 86_400_000
        return Metrics(
            account_age_days: trader.earliestFill.map { Int(max(0, now.milliseconds - $0.milliseconds) / day) },
            total_volume: trader.totalVolume.description,
            win_rate: trader.closingFills > 0
                ? LeaderboardEntry.statistic(Double(trader.winningFills) / Double(trader.closingFills)) : nil,
            average_risk_ratio: trader.riskRatioCount > 0
                ? LeaderboardEntry.statistic(trader.riskRatioSum / Double(trader.riskRatioCount)) : nil,
            max_drawdown: trader.maxDrawdown.map(LeaderboardEntry.statistic),
            max_profit: trader.maxProfit?.description, max_loss: trader.maxLoss?.description)
    }

    /// The return since the first look, in percent; nil before a look with a positive value.
    public static func returnPercent(of trader: TraderRecord) -> Double? {
        guard let first = trader.firstValue, first > .zero, let value = trader.accountValue else { return nil }
        return LeaderboardEntry.statistic(Double((value - first).raw) / Double(first.raw) * 100)
    }
}
