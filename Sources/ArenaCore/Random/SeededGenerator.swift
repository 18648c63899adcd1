/// A deterministic random source (SplitMix64): the same seed gives the same sequence on every
/// machine and run, which is what makes simulations and baselines repeatable.
///
/// The package's only SplitMix64: the paper exchange draws from it and Market seeds xoshiro256**
/// with it, so a change here changes every seeded run.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator seeded by `label` (FNV-1a, 64 bits, of its UTF-8): the same in every process,
    /// unlike Swift's `Hasher`, so a name can seed what must repeat across runs.
    public init(label: String) { self.init(seed: Self.seed(label: label)) }

    /// The seed `init(label:)` uses.
    public static func seed(label: String) -> UInt64 {
        label.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
