import ArenaCore
import Foundation
import Testing
@testable import Custody

@Suite("AES-256-GCM secret box")
struct SecretBoxTests {
    let box: SecretBox
    let name = SecretName.llmAPIKey
    let plaintext = "sk-test-0123456789abcdefghijklmnopqrstuvwxyz"

    init() throws {
        box = SecretBox(masterKey: try randomKey())
    }

    @Test("a sealed secret opens to the same bytes for the same account and name")
    func roundTrip() throws {
        let sealed = try box.seal(SecretValue(plaintext), accountID: accountOne, name: name)
        #expect(sealed.nonce.count == 12)
        #expect(sealed.ciphertext.count == plaintext.utf8.count + 16)
        #expect(!contains(Data(sealed.ciphertext), Array(plaintext.utf8.prefix(8))))
        let opened = try box.open(sealed, accountID: accountOne, name: name)
        #expect(opened.revealString() == plaintext)
    }

    @Test("secrets of every length round-trip, including empty and multi-byte UTF-8", arguments: [0, 1, 15, 16, 17, 64, 4096])
    func lengths(count: Int) throws {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let sealed = try box.seal(SecretValue(bytes: bytes), accountID: accountTwo, name: name)
        #expect(try box.open(sealed, accountID: accountTwo, name: name).revealBytes() == bytes)
        let unicode = "clé-秘密-🔑"
        let sealedText = try box.seal(SecretValue(unicode), accountID: accountTwo, name: name)
        #expect(try box.open(sealedText, accountID: accountTwo, name: name).revealString() == unicode)
    }

    @Test("every seal draws a new nonce, so the same secret never gives the same ciphertext")
    func freshNonces() throws {
        let sealings = try (0..<64).map { _ in try box.seal(SecretValue(plaintext), accountID: accountOne, name: name) }
        #expect(Set(sealings.map(\.nonce)).count == 64)
        #expect(Set(sealings.map(\.ciphertext)).count == 64)
    }

    @Test("flipping any single bit of the ciphertext or tag is refused", arguments: [0, 5, 20, 43, 44, 50, 59])
    func tamperedCiphertext(byteIndex: Int) throws {
        var sealed = try box.seal(SecretValue(plaintext), accountID: accountOne, name: name)
        try #require(byteIndex < sealed.ciphertext.count)
        sealed.ciphertext[byteIndex] ^= 0x01
        #expect(throws: CustodyError.secretUnreadable(accountID: accountOne, name: name.rawValue)) {
            try box.open(sealed, accountID: accountOne, name: name)
        }
    }

    @Test("a truncated ciphertext or a nonce of the wrong length is refused")
    func truncated() throws {
        let sealed = try box.seal(SecretValue(plaintext), accountID: accountOne, name: name)
        let failure = CustodyError.secretUnreadable(accountID: accountOne, name: name.rawValue)
        #expect(throws: failure) { try box.open(SealedSecret(nonce: sealed.nonce, ciphertext: Array(sealed.ciphertext.dropLast())), accountID: accountOne, name: name) }
        #expect(throws: failure) { try box.open(SealedSecret(nonce: sealed.nonce, ciphertext: Array(sealed.ciphertext.prefix(15))), accountID: accountOne, name: name) }
        #expect(throws: failure) { try box.open(SealedSecret(nonce: Array(sealed.nonce.dropLast()), ciphertext: sealed.ciphertext), accountID: accountOne, name: name) }
        #expect(throws: failure) { try box.open(SealedSecret(nonce: sealed.nonce + [0], ciphertext: sealed.ciphertext), accountID: accountOne, name: name) }
    }

    @Test("a tampered nonce is refused", arguments: [0, 11])
    func tamperedNonce(byteIndex: Int) throws {
        var sealed = try box.seal(SecretValue(plaintext), accountID: accountOne, name: name)
        sealed.nonce[byteIndex] ^= 0x80
        #expect(throws: CustodyError.secretUnreadable(accountID: accountOne, name: name.rawValue)) {
            try box.open(sealed, accountID: accountOne, name: name)
        }
    }

    @Test("a ciphertext moved to another account or another secret name is refused (associated data)")
    func wrongAssociatedData() throws {
        let sealed = try box.seal(SecretValue(plaintext), accountID: accountOne, name: name)
        #expect(throws: CustodyError.secretUnreadable(accountID: accountTwo, name: name.rawValue)) {
            try box.open(sealed, accountID: accountTwo, name: name)
        }
        #expect(throws: CustodyError.secretUnreadable(accountID: AccountID(11), name: name.rawValue)) {
            try box.open(sealed, accountID: AccountID(11), name: name)
        }
        #expect(throws: CustodyError.secretUnreadable(accountID: accountOne, name: SecretName.hyperliquidAgentKey.rawValue)) {
            try box.open(sealed, accountID: accountOne, name: .hyperliquidAgentKey)
        }
    }

    @Test("another master key cannot open a secret")
    func wrongKey() throws {
        let sealed = try box.seal(SecretValue(plaintext), accountID: accountOne, name: name)
        let other = SecretBox(masterKey: try randomKey())
        #expect(throws: CustodyError.secretUnreadable(accountID: accountOne, name: name.rawValue)) {
            try other.open(sealed, accountID: accountOne, name: name)
        }
    }

    @Test("a refusal's message names the account and secret but holds no plaintext or key")
    func refusalMessage() throws {
        let sealed = try box.seal(SecretValue(plaintext), accountID: accountOne, name: name)
        do {
            _ = try SecretBox(masterKey: try randomKey()).open(sealed, accountID: accountOne, name: name)
            Issue.record("a secret opened under another key")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("llm_api_key"))
            #expect(message.contains("account 1"))
            #expect(!message.contains(plaintext))
            #expect(!message.contains(box.masterKey.revealHex()))
        }
    }

    @Test("a secret value prints, reflects and dumps as redacted")
    func secretValueRedacted() {
        let value = SecretValue(plaintext)
        var dumped = ""
        dump(value, to: &dumped)
        for text in [String(describing: value), String(reflecting: value), "\(value)", dumped, String(describing: [value])] {
            #expect(!text.contains(plaintext))
            #expect(!text.contains("sk-test"))
        }
        #expect(String(describing: value) == "<redacted>")
    }

    @Test("secret names are lowercase letters, digits and underscores, 1 to 64 of them")
    func secretNames() throws {
        #expect(try SecretName("llm_api_key") == .llmAPIKey)
        #expect(try SecretName(String(repeating: "a", count: 64)).rawValue.count == 64)
        for bad in ["", "LLM", "api-key", "a b", String(repeating: "a", count: 65), "clé"] {
            #expect(throws: CustodyError.invalidSecretName) { try SecretName(bad) }
        }
    }
}
