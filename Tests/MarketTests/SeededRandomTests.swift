import Testing
@testable import Market

@Suite("Seeded random source")
struct SeededRandomTests {
    @Test("equal seeds give equal sequences and different seeds different ones")
    func determinism() {
        var first = SeededRandom(seed: 42)
        var second = SeededRandom(seed: 42)
        var other = SeededRandom(seed: 43)
        let a = (0..<100).map { _ in first.next() }
        let b = (0..<100).map { _ in second.next() }
        let c = (0..<100).map { _ in other.next() }
        #expect(a == b)
        #expect(a != c)
    }
}
