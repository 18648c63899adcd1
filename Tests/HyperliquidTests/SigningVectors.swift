import ArenaTestSupport
import Foundation
import JSONCore
import Testing
@testable import Hyperliquid

/// The golden vectors made with hyperliquid-python-sdk 0.24.0, read from `../shared/fixtures`
/// relative to the package root, with our own order-preserving parser (action key order matters).
enum SigningVectors {
    static let fixtureURL = sharedFixture("hyperliquid-signing-vectors.json")

    static let document: JSONValue = {
        do {
            let data = try Data(contentsOf: fixtureURL)
            return try JSONParser.parse(utf8: Array(data), limits: .init(maximumDepth: 64, maximumBytes: 16 << 20))
        } catch {
            fatalError("cannot read \(fixtureURL.path): \(error)")
        }
    }()

    /// Each vector as one compact JSON line, in file order, as a client would send it.
    static var lines: [String] { all.map { json($0.raw) } }

    static let all: [Vector] = {
        guard case .array(let vectors)? = document["vectors"] else { fatalError("no vectors") }
        return vectors.map(Vector.init)
    }()

    static func named(_ id: String) -> Vector {
        guard let vector = all.first(where: { $0.id == id }) else { fatalError("no vector \(id)") }
        return vector
    }

    /// Writes parsed JSON back as compact text, keeping order and number literals.
    static func json(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return WireValue.string(text).jsonText()
        case .array(let elements): return "[" + elements.map(json).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { WireValue.string($0.key).jsonText() + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }

    struct Vector: Sendable, CustomTestStringConvertible {
        let raw: JSONValue
        var id: String { string("id") }
        var kind: String { string("kind") }
        var privateKey: String { string("private_key") }
        var signerAddress: String { string("signer_address") }
        var isMainnet: Bool { raw["is_mainnet"] == .bool(true) }
        var network: HyperliquidNetwork { isMainnet ? .mainnet : .testnet }
        var nonce: UInt64 { unsigned(raw["nonce"]) ?? 0 }
        var expiresAfter: UInt64? { unsigned(raw["expires_after"]) }
        var vaultAddress: EthereumAddress? {
            guard case .string(let text)? = raw["vault_address"] else { return nil }
            return EthereumAddress(hex: text)
        }
        var actionJSON: JSONValue { raw["action"] ?? .null }
        var action: WireValue { (try? WireValue(json: actionJSON)) ?? .null }
        var actionMessagePackHex: String? { optionalString("action_msgpack_hex") }
        var hashSuffixHex: String? { optionalString("hash_suffix_hex") }
        var connectionID: String? { optionalString("connection_id") }
        var digest: String { nested("eip712", "digest") }
        var structHash: String { nested("eip712", "struct_hash") }
        var domainSeparator: String { nested("eip712", "domain_separator") }
        var signatureR: String { nested("signature", "r") }
        var signatureS: String { nested("signature", "s") }
        var signatureV: Int {
            guard case .number(let text)? = raw["signature"]?["v"] else { return 0 }
            return Int(text) ?? 0
        }
        var postBody: JSONValue { raw["post_body"] ?? .null }

        /// The line `arena hyperliquid sign` must print for this vector.
        var expectedOutputLine: String {
            var line = "{"
            if let connectionID { line += "\"connection_id\":\"\(connectionID)\"," }
            line += "\"digest\":\"\(digest)\",\"signature\":{\"r\":\"\(signatureR)\",\"s\":\"\(signatureS)\",\"v\":\(signatureV)},"
            line += "\"signer_address\":\"\(signerAddress)\"}"
            return line
        }

        var testDescription: String { id }

        private func string(_ key: String) -> String { optionalString(key) ?? "" }
        private func optionalString(_ key: String) -> String? {
            guard case .string(let text)? = raw[key] else { return nil }
            return text
        }
        private func nested(_ outer: String, _ inner: String) -> String {
            guard case .string(let text)? = raw[outer]?[inner] else { return "" }
            return text
        }
        private func unsigned(_ value: JSONValue?) -> UInt64? {
            guard case .number(let text)? = value else { return nil }
            return UInt64(text)
        }
    }
}

/// Hex of bytes with a 0x prefix, for comparing with the fixture's strings.
func hex(_ bytes: [UInt8]) -> String { Hex.prefixed(bytes) }
