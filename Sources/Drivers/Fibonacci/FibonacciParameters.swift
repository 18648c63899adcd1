import ArenaCore

/// The Fibonacci hedge's settings for one account (`docs/HEDGES.md`).
public struct FibonacciParameters: Sendable, Codable, Hashable {
    /// The coin it trades.
    public var symbol: Symbol
    /// The margin (USD) of the opening long; `initialMargin × leverage` is the first cycle's notional.
    public var initialMargin: FixedDecimal
    /// The leverage asked for; the account's risk limit and the coin's venue maximum cap it.
    public var leverage: Int
    /// The swing must span at least this percentage of the swing low before any level counts.
    public var minSwingPercent: FixedDecimal
    /// The trailing stop's distance above the valley, as a fraction of the swing range.
    public var trailFraction: FixedDecimal
    /// The three retracement levels, increasing, each in (0, 1).
    public var levels: [FixedDecimal]

    /// The default leverage.
    public static let defaultLeverage = 3
    /// The default minimum swing, in percent of the swing low.
    public static let defaultMinSwingPercent = FixedDecimal(2)
    /// The default trailing-stop distance, as a fraction of the range.
    public static let defaultTrailFraction = FixedDecimal(236, exponent: 3)
    /// The default retracement levels.
    public static let defaultLevels = [FixedDecimal(236, exponent: 3), FixedDecimal(382, exponent: 3), FixedDecimal(5, exponent: 1)]

    /// Creates the settings, the defaults standing in for what is not given.
    public init(symbol: Symbol, initialMargin: FixedDecimal, leverage: Int? = nil, minSwingPercent: FixedDecimal? = nil,
                trailFraction: FixedDecimal? = nil, levels: [FixedDecimal]? = nil) {
        self.symbol = symbol
        self.initialMargin = initialMargin
        self.leverage = leverage ?? Self.defaultLeverage
        self.minSwingPercent = minSwingPercent ?? Self.defaultMinSwingPercent
        self.trailFraction = trailFraction ?? Self.defaultTrailFraction
        self.levels = levels ?? Self.defaultLevels
    }

    enum CodingKeys: String, CodingKey {
        case symbol, leverage, levels
        case initialMargin = "initial_margin"
        case minSwingPercent = "min_swing_pct"
        case trailFraction = "trail_fraction"
    }

    /// The first rule the settings break, in words an operator can act on; nil when they are valid.
    public var problem: String? {
        guard initialMargin >= Instrument.minimumOrderValue, initialMargin <= FixedDecimal(1_000_000_000) else {
            return "initial_margin must be between \(Instrument.minimumOrderValue) and 1000000000 USD (got \(initialMargin))."
        }
        guard (1...100).contains(leverage) else { return "leverage must be 1 to 100 (got \(leverage))." }
        guard !minSwingPercent.isNegative, minSwingPercent <= FixedDecimal(100) else {
            return "min_swing_pct must be between 0 and 100 (got \(minSwingPercent))."
        }
        guard trailFraction.isPositive, trailFraction < .one else { return "trail_fraction must be above 0 and below 1 (got \(trailFraction))." }
        guard levels.count == 3 else { return "levels must hold exactly three retracement levels (got \(levels.count))." }
        guard levels.allSatisfy({ $0.isPositive && $0 < .one }) else {
            return "each of levels must be above 0 and below 1 (got \(levels.map(\.description).joined(separator: ", ")))."
        }
        guard levels[0] < levels[1], levels[1] < levels[2] else {
            return "levels must increase (got \(levels.map(\.description).joined(separator: ", ")))."
        }
        return nil
    }

    /// Checks the settings.
    /// - Throws: `DriverError` naming the first broken rule.
    public func validate() throws {
        if let problem { throw DriverError(problem) }
    }
}
