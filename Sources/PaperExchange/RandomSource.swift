public import ArenaCore

/// The exchange's only source of randomness (ArenaCore's seeded SplitMix64, with draws in exact
/// decimals), so that the same seed and inputs give the same events on every machine.
public struct RandomSource: Sendable, Hashable {
    private var generator: SeededGenerator

    /// Creates a generator whose whole sequence follows from `seed`.
    public init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 { generator.next() }

    /// Returns a fraction uniformly drawn from 0 (inclusive) to 1 (exclusive) at eight decimals.
    public mutating func nextFraction() -> FixedDecimal {
        FixedDecimal(raw: Int64(next() % UInt64(FixedDecimal.unit)))
    }

    /// Returns a value uniformly drawn from `range` at eight decimals.
    public mutating func next(in range: ClosedRange<FixedDecimal>) -> FixedDecimal {
        let width = UInt64(range.upperBound.raw - range.lowerBound.raw) + 1
        return FixedDecimal(raw: range.lowerBound.raw + Int64(next() % width))
    }

    /// Returns a whole number uniformly drawn from `range`.
    public mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64(next() % width)
    }

    /// Returns true with probability `probability` (a fraction from 0 to 1).
    public mutating func chance(_ probability: FixedDecimal) -> Bool {
        guard probability.isPositive else { return false }
        return nextFraction() < probability
    }
}
