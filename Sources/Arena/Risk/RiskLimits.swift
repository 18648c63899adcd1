import ArenaCore

/// The per-account limits the risk gate enforces.
public struct RiskLimits: Codable, Sendable, Hashable {
    /// The highest leverage the account may use (further capped by each instrument's maximum).
    public var max_leverage: Int
    /// The largest notional of one position, in USD; nil for no limit beyond margin.
    public var max_position_notional: FixedDecimal?
    /// The largest notional of all positions together, in USD.
    public var max_total_notional: FixedDecimal?
    /// The most orders the account may send in any minute of market time.
    public var max_orders_per_minute: Int?
    /// A loss in USD since the start of the UTC day (by equity) that halts new risk until the next day.
    public var daily_loss_limit: FixedDecimal?
    /// A fall from the equity high-water mark, in percent, that halts new risk until an operator clears it.
    public var max_drawdown_pct: FixedDecimal?

    public init(max_leverage: Int = 10, max_position_notional: FixedDecimal? = nil, max_total_notional: FixedDecimal? = nil,
                max_orders_per_minute: Int? = nil, daily_loss_limit: FixedDecimal? = nil, max_drawdown_pct: FixedDecimal? = nil) {
        self.max_leverage = max_leverage
        self.max_position_notional = max_position_notional
        self.max_total_notional = max_total_notional
        self.max_orders_per_minute = max_orders_per_minute
        self.daily_loss_limit = daily_loss_limit
        self.max_drawdown_pct = max_drawdown_pct
    }

    public static let `default` = RiskLimits()

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        max_leverage = try container.decodeIfPresent(Int.self, forKey: .max_leverage) ?? Self.default.max_leverage
        max_position_notional = try container.decodeIfPresent(FixedDecimal.self, forKey: .max_position_notional)
        max_total_notional = try container.decodeIfPresent(FixedDecimal.self, forKey: .max_total_notional)
        max_orders_per_minute = try container.decodeIfPresent(Int.self, forKey: .max_orders_per_minute)
        daily_loss_limit = try container.decodeIfPresent(FixedDecimal.self, forKey: .daily_loss_limit)
        max_drawdown_pct = try container.decodeIfPresent(FixedDecimal.self, forKey: .max_drawdown_pct)
        func refuse(_ key: CodingKeys, _ message: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: message)
        }
        guard (1...100).contains(max_leverage) else { throw refuse(.max_leverage, "max_leverage must be 1 to 100") }
        if let value = max_position_notional, !value.isPositive { throw refuse(.max_position_notional, "max_position_notional must be positive") }
        if let value = max_total_notional, !value.isPositive { throw refuse(.max_total_notional, "max_total_notional must be positive") }
        if let value = max_orders_per_minute, !(1...10_000).contains(value) { throw refuse(.max_orders_per_minute, "max_orders_per_minute must be 1 to 10000") }
        if let value = daily_loss_limit, !value.isPositive { throw refuse(.daily_loss_limit, "daily_loss_limit must be a positive USD amount") }
        if let value = max_drawdown_pct, !(value.isPositive && value <= FixedDecimal(100)) {
            throw refuse(.max_drawdown_pct, "max_drawdown_pct must be above 0 and at most 100")
        }
    }
}
