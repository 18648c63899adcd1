import ArenaCore

/// Running statistics of an account's equity curve, updated at every snapshot and stored with it,
/// so the leaderboard never rescans history: per-snapshot returns (Welford's mean and variance for
/// the Sharpe ratio), the high-water mark and deepest drawdown, and the mean risk ratio
/// (margin used over equity).
public struct EquityStatistics: Codable, Sendable, Hashable {
    public var samples = 0
    public var lastEquity: FixedDecimal?
    public var returnCount = 0
    public var returnMean = 0.0
    /// Sum of squared deviations of the returns from their mean (Welford).
    public var returnSquaredDeviations = 0.0
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
        if let last = lastEquity, last.isPositive {
            let value = (equity - last).doubleValue / last.doubleValue
            returnCount += 1
            let delta = value - returnMean
            returnMean += delta / Double(returnCount)
            returnSquaredDeviations += delta * (value - returnMean)
        }
        lastEquity = equity
        let mark = FixedDecimal.max(highWaterMark ?? equity, equity)
        highWaterMark = mark
        if mark.isPositive {
            maxDrawdown = max(maxDrawdown, (mark - equity).doubleValue / mark.doubleValue)
        }
        if equity.isPositive { riskRatioSum += marginUsed.doubleValue / equity.doubleValue }
    }

    /// Fewer returns than this make an annualised ratio noise, so none is given.
    public static let minimumReturnsForSharpe = 30

    /// The Sharpe ratio of per-snapshot returns (risk-free rate zero), annualised by the square
    /// root of the number of snapshot periods in a year; nil with fewer than `minimumReturnsForSharpe` returns or none
    /// varying.
    public func sharpeRatio(snapshotIntervalMilliseconds: Int64) -> Double? {
        guard returnCount >= Self.minimumReturnsForSharpe, snapshotIntervalMilliseconds > 0 else { return nil }
        let variance = returnSquaredDeviations / Double(returnCount - 1)
        guard variance > 0 else { return nil }
        let periodsPerYear = 365.25 * 86_400_000 / Double(snapshotIntervalMilliseconds)
        return returnMean / variance.squareRoot() * periodsPerYear.squareRoot()
    }

    /// The mean of margin used over equity across snapshots.
    public var averageRiskRatio: Double? { samples == 0 ? nil : riskRatioSum / Double(samples) }
}
