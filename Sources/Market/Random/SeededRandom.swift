import ArenaCore
import Foundation

/// A deterministic pseudo-random generator (xoshiro256**, seeded through ArenaCore's SplitMix64
/// `SeededGenerator`), so that a seed alone reproduces a whole market run on every machine.
///
/// Not for secrets: it is fast and predictable by design.
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable {
    private var state0: UInt64
    private var state1: UInt64
    private var state2: UInt64
    private var state3: UInt64
    /// The second value of the last Box-Muller pair, kept so that no draw is wasted.
    private var spareGaussian: Double?

    /// Creates a generator whose whole sequence follows from `seed`.
    /// - Parameters:
    ///   - seed: Any value; equal seeds give equal sequences.
    ///   - stream: Selects an independent sequence for the same seed (one per purpose).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = SeededGenerator(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state0 = mixer.next()
        state1 = mixer.next()
        state2 = mixer.next()
        state3 = mixer.next()
        // xoshiro's state must not be all zeros; SplitMix64 makes that practically impossible,
        // but the guard keeps the invariant explicit.
        if state0 | state1 | state2 | state3 == 0 { state0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((state1 &* 5) << 7 | (state1 &* 5) >> 57) &* 9
        let shifted = state1 << 17
        state2 ^= state0
        state3 ^= state1
        state1 ^= state2
        state0 ^= state3
        state2 ^= shifted
        state3 = state3 << 45 | state3 >> 19
        return result
    }

    /// Returns a uniform value in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Returns a standard normal value (mean 0, variance 1) by the Box-Muller transform.
    public mutating func nextGaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let radius = (-2 * log(1 - nextUnit())).squareRoot()
        let angle = 2 * Double.pi * nextUnit()
        spareGaussian = radius * sin(angle)
        return radius * cos(angle)
    }
}
