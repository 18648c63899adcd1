public import ArenaCore

/// Hourly funding as the venue pays it: at each whole hour, every position pays (or receives)
/// its size times the oracle price times the hourly rate, longs paying when the rate is positive.
public enum FundingModel {
    /// The interval between funding payments, in milliseconds.
    public static let interval: Int64 = 3_600_000

    /// Returns the whole hours `h` with `start < h <= end`, oldest first.
    public static func boundaries(after start: Timestamp, through end: Timestamp) -> [Timestamp] {
        guard end > start else { return [] }
        var hour = (start.milliseconds / interval + 1) * interval
        if start.milliseconds < 0, start.milliseconds % interval != 0 { hour -= interval }
        var result: [Timestamp] = []
        while hour <= end.milliseconds {
            result.append(Timestamp(milliseconds: hour))
            hour += interval
        }
        return result
    }

    /// Returns the payment a position receives (positive) or pays (negative):
    /// `-size × price × rate`.
    public static func payment(positionSize: FixedDecimal, price: FixedDecimal, rate: FixedDecimal) -> FixedDecimal {
        -(positionSize * price * rate)
    }
}
