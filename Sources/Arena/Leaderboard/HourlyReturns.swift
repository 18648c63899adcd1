import ArenaCore

/// The running statistics of hourly returns of market time and the Sharpe and Sortino ratios
/// computed from them: the one home of both ratios, shared by the leaderboard, `/api/models` and
/// the season statistics.
///
/// A return is taken between the equity at consecutive whole hours of market time (the first from
/// the equity at the start). Returns from a non-positive equity are skipped. The risk-free rate is
/// zero; ratios are annualised by the square root of 24 × 365 hours and given only from
/// `minimumCount` returns on, because a few short returns annualised are noise (a few minutes of
/// 5-second returns once showed Sharpe ratios of -455).
public struct HourlyReturns: Codable, Sendable, Hashable {
    /// Returns taken.
    public private(set) var count = 0
    /// Their mean.
    public private(set) var mean = 0.0
    /// Sum of squared deviations from the mean (Welford), for the sample variance.
    public private(set) var squaredDeviations = 0.0
    /// Sum of the squares of the negative returns, for the downside deviation.
    public private(set) var downsideSquares = 0.0

    /// Hourly returns needed before a ratio is given: one day of market time.
    public static let minimumCount = 24
    /// Hours in a year, the annualisation's periods.
    public static let periodsPerYear = 24.0 * 365
    /// A whole hour in milliseconds.
    public static let hourMilliseconds: Int64 = 3_600_000
    /// How `sharpe` and `sortino` are computed, stated once per response.
    public static let basis = "hourly returns of market time (equity at each whole hour), risk-free rate 0, "
        + "annualised by the square root of 24 × 365; Sortino divides by the downside deviation (root mean square "
        + "of the negative returns over all returns); given from \(minimumCount) hourly returns on, null with a reason before"

    public init() {}

    /// The statistics of the returns between consecutive `equities` (hourly equity in order, the
    /// start first).
    public init(equities: [FixedDecimal]) {
        for (previous, next) in zip(equities, equities.dropFirst()) { add(from: previous, to: next) }
    }

    /// Adds the return from `previous` to `next`; skipped when `previous` is not positive.
    public mutating func add(from previous: FixedDecimal, to next: FixedDecimal) {
        guard previous.isPositive else { return }
        add((next - previous).doubleValue / previous.doubleValue)
    }

    /// Adds one hourly return (0.01 is 1%).
    public mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        squaredDeviations += delta * (value - mean)
        if value < 0 { downsideSquares += value * value }
    }

    /// The annualised Sharpe ratio: mean over sample standard deviation.
    public var sharpe: AnnualisedRatio {
        if let shortfall = shortfall { return shortfall }
        let variance = squaredDeviations / Double(count - 1)
        guard variance > 0 else { return AnnualisedRatio(value: nil, reason: "hourly returns do not vary") }
        return AnnualisedRatio(value: mean / variance.squareRoot() * Self.periodsPerYear.squareRoot(), reason: nil)
    }

    /// The annualised Sortino ratio: mean over the downside deviation.
    public var sortino: AnnualisedRatio {
        if let shortfall = shortfall { return shortfall }
        let downside = (downsideSquares / Double(count)).squareRoot()
        guard downside > 0 else { return AnnualisedRatio(value: nil, reason: "no hourly return was negative") }
        return AnnualisedRatio(value: mean / downside * Self.periodsPerYear.squareRoot(), reason: nil)
    }

    private var shortfall: AnnualisedRatio? {
        count >= Self.minimumCount ? nil
            : AnnualisedRatio(value: nil, reason: "needs \(Self.minimumCount) hourly returns, has \(count)")
    }
}

/// An annualised ratio, or why there is none yet.
public struct AnnualisedRatio: Sendable, Hashable {
    public var value: Double?
    /// Why `value` is nil; nil when there is a value.
    public var reason: String?
}

/// Samples an equity curve at whole hours of market time: the equity at a whole hour is the
/// equity of the newest snapshot at or before it.
public struct HourlyEquitySampler: Codable, Sendable, Hashable {
    /// The newest whole hour sampled (hours since 1970), or the start's hour.
    public private(set) var hour: Int64?
    /// The equity sampled at `hour` (at the start: the first snapshot's).
    public private(set) var equityAtHour: FixedDecimal?
    /// The newest snapshot's equity.
    public private(set) var lastEquity: FixedDecimal?

    /// Hours filled in at most after a gap, so a clock jump cannot stall a snapshot.
    static let maximumGapHours: Int64 = 24 * 366 * 2

    public init() {}

    /// Takes a snapshot at `time`; calls `sample(previous, next)` for every whole hour passed since
    /// the last one, with the equity at the hour before and at that hour.
    public mutating func add(equity: FixedDecimal, time: Timestamp, sample: (FixedDecimal, FixedDecimal) -> Void) {
        defer { lastEquity = equity }
        let current = Self.hour(of: time)
        guard let hour, let equityAtHour, let lastEquity else {
            self.hour = current
            equityAtHour = equity
            return
        }
        guard current > hour else { return }
        let onTheHour = time.milliseconds == current * Self.hourMilliseconds
        var previous = equityAtHour
        var mark = max(hour, current - Self.maximumGapHours)
        while mark < current {
            mark += 1
            let atMark = mark == current && onTheHour ? equity : lastEquity
            sample(previous, atMark)
            previous = atMark
        }
        self.hour = current
        self.equityAtHour = previous
    }

    static var hourMilliseconds: Int64 { HourlyReturns.hourMilliseconds }

    /// The whole hour at or before `time`, in hours since 1970.
    static func hour(of time: Timestamp) -> Int64 {
        let (quotient, remainder) = time.milliseconds.quotientAndRemainder(dividingBy: hourMilliseconds)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
