import ArenaCore

/// Running statistics of an account's equity curve, updated at every snapshot and stored with it,
/// so the leaderboard never rescans history: hourly returns of market time (`HourlyReturns`, for
/// the Sharpe and Sortino ratios), the high-water mark and deepest drawdown, and the mean risk
/// ratio (margin used over equity).
public struct EquityStatistics: Codable, Sendable, Hashable {
    public var samples = 0
    public var lastEquity: FixedDecimal?
    /// The curve sampled at whole market hours.
    public var hourlySampler = HourlyEquitySampler()
    /// The returns between those samples.
    public var hourlyReturns = HourlyReturns()
    public var highWaterMark: FixedDecimal?
    /// Deepest fall from the high-water mark, as a fraction (0.25 is 25%).
    public var maxDrawdown = 0.0
    public var riskRatioSum = 0.0
    public var firstTime: Timestamp?
    public var lastTime: Timestamp?

    public init() {}

    /// Adds a snapshot.
    public mutating func add(equity: FixedDecimal, marginUsed: FixedDecimal, time: Timestamp) {
        samples += 1
        if firstTime == nil { firstTime = time }
        lastTime = time
        var returns = hourlyReturns
        hourlySampler.add(equity: equity, time: time) { returns.add(from: $0, to: $1) }
        hourlyReturns = returns
        lastEquity = equity
        let mark = FixedDecimal.max(highWaterMark ?? equity, equity)
        highWaterMark = mark
        if mark.isPositive {
            maxDrawdown = max(maxDrawdown, (mark - equity).doubleValue / mark.doubleValue)
        }
        if equity.isPositive { riskRatioSum += marginUsed.doubleValue / equity.doubleValue }
    }

    /// The mean of margin used over equity across snapshots.
    public var averageRiskRatio: Double? { samples == 0 ? nil : riskRatioSum / Double(samples) }

    private enum CodingKeys: String, CodingKey {
        case samples, lastEquity, hourlySampler, hourlyReturns, highWaterMark, maxDrawdown, riskRatioSum, firstTime, lastTime
    }

    /// Decodes stored statistics; those stored before hourly returns existed (per-snapshot
    /// returns) start their hourly returns afresh and keep the rest.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        samples = try container.decodeIfPresent(Int.self, forKey: .samples) ?? 0
        lastEquity = try container.decodeIfPresent(FixedDecimal.self, forKey: .lastEquity)
        hourlySampler = try container.decodeIfPresent(HourlyEquitySampler.self, forKey: .hourlySampler) ?? HourlyEquitySampler()
        hourlyReturns = try container.decodeIfPresent(HourlyReturns.self, forKey: .hourlyReturns) ?? HourlyReturns()
        highWaterMark = try container.decodeIfPresent(FixedDecimal.self, forKey: .highWaterMark)
        maxDrawdown = try container.decodeIfPresent(Double.self, forKey: .maxDrawdown) ?? 0
        riskRatioSum = try container.decodeIfPresent(Double.self, forKey: .riskRatioSum) ?? 0
        firstTime = try container.decodeIfPresent(Timestamp.self, forKey: .firstTime)
        lastTime = try container.decodeIfPresent(Timestamp.self, forKey: .lastTime)
    }
}
