import ArenaCore

/// The resampling methods of the season statistics: a seeded percentile bootstrap of a mean and a
/// paired sign-flip permutation test. Seeds derive from the statistic's label, never from the
/// order of the work, so the same runs give the same intervals byte for byte, and adding an
/// entrant changes no other entrant's numbers.
public enum SeasonResampling {
    /// Bootstrap resamples per interval.
    public static let resamples = 10_000
    /// The confidence level of every interval.
    public static let confidence = 0.95
    /// Sign patterns are enumerated exactly up to this many pairs (2^12 = 4,096), drawn at random
    /// (`resamples` times) beyond.
    public static let exactSignFlipLimit = 12
    /// The significance level of the comparisons.
    public static let significanceLevel = 0.05

    /// A mean with its percentile-bootstrap confidence interval.
    public struct Interval: Sendable, Hashable {
        public var mean: Double
        public var low: Double
        public var high: Double
        public var count: Int

        /// Whether the interval leaves zero out.
        public var excludesZero: Bool { low > 0 || high < 0 }
    }

    /// The mean of `values` and its 95% percentile-bootstrap interval: `resamples` resamples with
    /// replacement, their means sorted, the 250th and the 9,750th (nearest rank); nil without values.
    public static func bootstrap(_ values: [Double], label: String) -> Interval? {
        guard !values.isEmpty else { return nil }
        let count = values.count
        let mean = values.reduce(0, +) / Double(count)
        guard count > 1 else { return Interval(mean: mean, low: mean, high: mean, count: count) }
        var generator = SeededGenerator(label: label)
        var means = [Double](repeating: 0, count: resamples)
        for index in 0..<resamples {
            var sum = 0.0
            for _ in 0..<count { sum += values[Int(generator.next() % UInt64(count))] }
            means[index] = sum / Double(count)
        }
        means.sort()
        let tail = (1 - confidence) / 2
        // Nearest rank: the ⌈pN⌉-th smallest, 1-based.
        let low = means[max(0, Int((tail * Double(resamples)).rounded(.up)) - 1)]
        let high = means[Int(((1 - tail) * Double(resamples)).rounded(.up)) - 1]
        return Interval(mean: mean, low: low, high: high, count: count)
    }

    /// The two-sided p-value of a paired sign-flip permutation test of "the mean difference is
    /// zero": the share of sign patterns whose mean difference is at least as far from zero as the
    /// observed one. Exact over all 2^n patterns up to `exactSignFlipLimit` pairs; beyond, from
    /// `resamples` seeded patterns with the observed one counted in ((k + 1) / (B + 1)). 1 when
    /// every difference is zero; nil without differences.
    public static func signFlipPValue(_ differences: [Double], label: String) -> Double? {
        guard !differences.isEmpty else { return nil }
        let observed = abs(differences.reduce(0, +))
        // Sums compared with a tolerance, so patterns equal to the observed one up to rounding count.
        let threshold = observed - 1e-12 * max(1, differences.reduce(0) { $0 + abs($1) })
        guard observed > 0 else { return 1 }
        if differences.count <= exactSignFlipLimit {
            let patterns = 1 << differences.count
            var extreme = 0
            for pattern in 0..<patterns {
                var sum = 0.0
                for (index, difference) in differences.enumerated() {
                    sum += pattern & (1 << index) == 0 ? difference : -difference
                }
                if abs(sum) >= threshold { extreme += 1 }
            }
            return Double(extreme) / Double(patterns)
        }
        var generator = SeededGenerator(label: label)
        var extreme = 0
        for _ in 0..<resamples {
            var sum = 0.0
            for difference in differences { sum += generator.next() & 1 == 0 ? difference : -difference }
            if abs(sum) >= threshold { extreme += 1 }
        }
        return Double(extreme + 1) / Double(resamples + 1)
    }

}
