import Testing
@testable import Hyperliquid

@Suite("secp256k1 signer")
struct SignerTests {
    static let key = "0x0123456789012345678901234567890123456789012345678901234567890123"

    @Test("keys that are not 32 bytes of hex or not valid secp256k1 secrets are refused", arguments: [
        "", "0x", "0x0123", String(key.dropLast()), key + "00", "0x" + String(repeating: "zz", count: 32),
        "0x" + String(repeating: "0", count: 64),
        // The curve order n and above are not valid secrets.
        "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        "0x" + String(repeating: "f", count: 64),
    ])
    func invalidKeys(text: String) {
        #expect(throws: HyperliquidError.invalidPrivateKey) { try Signer(privateKeyHex: text) }
    }

    @Test("a key without the 0x prefix and in upper case is the same key")
    func keySpellings() throws {
        let plain = try Signer(privateKeyHex: String(Self.key.dropFirst(2)).uppercased())
        #expect(plain.address.checksummed == "0x14791697260E4c9A71f18484C9f997B308e59325")
    }

    @Test("the largest valid secret n-1 signs")
    func largestSecret() throws {
        let signer = try Signer(privateKeyHex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")
        let signature = try signer.sign(digest: Keccak256.hash("x".utf8))
        #expect(signature.v == 27 || signature.v == 28)
    }

    @Test("the same digest signs to the same signature every time (RFC 6979), low s, from any thread")
    func deterministic() async throws {
        let signer = try Signer(privateKeyHex: Self.key)
        let digest = Keccak256.hash("digest".utf8)
        let first = try signer.sign(digest: digest)
        let halfOrder = Hex.decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")!
        #expect(first.s.lexicographicallyPrecedes(halfOrder) || first.s == halfOrder)
        let others = try await withThrowingTaskGroup(of: RecoverableSignature.self) { group in
            for _ in 0..<16 { group.addTask { try signer.sign(digest: digest) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(others.allSatisfy { $0 == first })
    }

    @Test("a digest that is not 32 bytes is refused")
    func digestLength() throws {
        let signer = try Signer(privateKeyHex: Self.key)
        #expect(throws: HyperliquidError.signingFailed("the digest must be 32 bytes")) { try signer.sign(digest: [1, 2, 3]) }
    }

    @Test("neither the signer's description nor a key error contains the key")
    func noKeyInText() throws {
        let signer = try Signer(privateKeyHex: Self.key)
        let keyDigits = String(Self.key.dropFirst(2))
        #expect(!String(describing: signer).contains(keyDigits))
        #expect(!String(reflecting: signer).contains(keyDigits))
        do {
            _ = try Signer(privateKeyHex: Self.key + "ab")
            Issue.record("a 33-byte key was accepted")
        } catch {
            #expect(!error.description.contains(keyDigits))
            #expect(!String(reflecting: error).contains(keyDigits))
        }
    }

    @Test("r and s drop leading zeros as the SDK writes them; v is 27 plus the recovery id")
    func quantityText() throws {
        var r = [UInt8](repeating: 0, count: 32)
        r[31] = 1
        var s = [UInt8](repeating: 0xAB, count: 32)
        s[0] = 0x0A
        let signature = try #require(RecoverableSignature(r: r, s: s, recoveryID: 1))
        #expect(signature.rHex == "0x1")
        #expect(signature.sHex == "0xa" + String(repeating: "ab", count: 31))
        #expect(signature.v == 28)
        #expect(RecoverableSignature(r: r, s: s, recoveryID: 2) == nil)
    }

    @Test("EIP-55 checksums of the fixture signers and the published EIP-55 examples")
    func checksums() {
        let examples = [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
            "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0xDA6733c847db093Cf25bd618226744Bb3bfcfb26",
        ]
        for example in examples {
            #expect(EthereumAddress(hex: example.lowercased())?.checksummed == example)
        }
        #expect(EthereumAddress(hex: "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") == nil)
        #expect(EthereumAddress(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA") == nil)
    }
}

@Suite("signing benchmark")
struct SigningBenchmarkTests {
    @Test("the benchmark signs the requested number of actions and reports a rate")
    func runs() throws {
        let result = try signingBenchmark(iterations: 20)
        #expect(result.iterations == 20)
        #expect(result.seconds > 0)
        #expect(result.actionsPerSecond > 0)
    }
}
