import Testing
@testable import Market

@Suite("Seeded random source")
struct SeededRandomTests {
    @Test("equal seeds give equal sequences and different seeds or streams different ones")
    func determinism() {
        var first = SeededRandom(seed: 42)
        var second = SeededRandom(seed: 42)
        var other = SeededRandom(seed: 43)
        var otherStream = SeededRandom(seed: 42, stream: 1)
        let a = (0..<100).map { _ in first.next() }
        let b = (0..<100).map { _ in second.next() }
        let c = (0..<100).map { _ in other.next() }
        let d = (0..<100).map { _ in otherStream.next() }
        #expect(a == b)
        #expect(a != c)
        #expect(a != d)
    }

    @Test("xoshiro256** seeded by SplitMix64 matches the reference algorithm")
    func knownAnswer() {
        // Computed with an independent transcription of the reference C code (SplitMix64 of 42
        // fills the state, whose first SplitMix64 output for seed 0 is the published 0xE220A8397B1DCDAF).
        var random = SeededRandom(seed: 42)
        #expect(random.next() == 0x1578_0B2E_0C2E_C716)
        #expect(random.next() == 0x6104_D986_6D11_3A7E)
        #expect(random.next() == 0xAE17_5332_39E4_99A1)
    }

    @Test("uniform values lie in [0, 1) and normal values have mean 0 and variance 1")
    func distributions() {
        var random = SeededRandom(seed: 7)
        let count = 100_000
        var uniformSum = 0.0
        for _ in 0..<count {
            let value = random.nextUnit()
            #expect(value >= 0 && value < 1)
            uniformSum += value
        }
        #expect(abs(uniformSum / Double(count) - 0.5) < 0.01)
        var sum = 0.0, squares = 0.0
        for _ in 0..<count {
            let value = random.nextGaussian()
            sum += value
            squares += value * value
        }
        let mean = sum / Double(count)
        #expect(abs(mean) < 0.02)
        #expect(abs(squares / Double(count) - mean * mean - 1) < 0.02)
    }
}
