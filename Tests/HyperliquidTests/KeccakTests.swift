import Testing
@testable import Hyperliquid

@Suite("Keccak-256")
struct KeccakTests {
    @Test("published and fixture vectors hash to the Keccak-256 digests, not SHA3-256", arguments: [
        ("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        ("The quick brown fox jumps over the lazy dog", "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
        ("a", "0x3ac225168df54212a25c1c01fd35bebfea408fdac2e31ddd6f80a4bbf9a5f1cb"),
        ("b", "0xb5553de315e0edf504d9150af82dafa5c4667fa618ed0a6f19c69b41166c5510"),
    ])
    func shortInputs(input: String, expected: String) {
        #expect(hex(Keccak256.hash(input.utf8)) == expected)
    }

    @Test("fixture constants for the empty input and the phantom agent sources")
    func fixtureConstants() throws {
        let constants = try #require(SigningVectors.document["constants"])
        #expect(constants["keccak256_empty"] == .string(hex(Keccak256.hash([]))))
        #expect(constants["keccak256_source_a"] == .string(hex(Keccak256.hash("a".utf8))))
        #expect(constants["keccak256_source_b"] == .string(hex(Keccak256.hash("b".utf8))))
    }

    // Lengths around the 136-byte rate exercise the padding of a full and a nearly full block;
    // digests computed with pycryptodome's keccak (digest_bits=256).
    @Test("inputs around the block size and over several blocks", arguments: [
        (135, "0x34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"),
        (136, "0xa6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"),
        (137, "0xd869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39"),
        (200, "0x96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d"),
        (1_000_000, "0xfadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96"),
    ])
    func repeatedLetter(count: Int, expected: String) {
        #expect(hex(Keccak256.hash(repeatElement(UInt8(ascii: "a"), count: count))) == expected)
    }

    @Test("feeding input in pieces gives the same digest as at once")
    func incrementalUpdates() {
        let input = Array(repeatElement(UInt8(ascii: "a"), count: 1000))
        var hasher = Keccak256()
        var offset = 0
        for size in [1, 135, 136, 137, 7, 300] {
            hasher.update(input[offset..<(offset + size)])
            offset += size
        }
        hasher.update(input[offset...])
        #expect(hasher.finalize() == Keccak256.hash(input))
    }
}
