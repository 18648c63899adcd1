import Testing
@testable import Hyperliquid

@Suite("EIP-712 hashing")
struct EIP712Tests {
    static let constants = SigningVectors.document["constants"] ?? .null

    @Test("type strings and type hashes of the domain and the phantom agent match the fixture")
    func domainAndAgentTypes() {
        let domain = EIP712Domain.exchange.structValue
        #expect(.string(domain.typeString) == Self.constants["eip712_domain_type_string"])
        #expect(.string(hex(domain.typeHash)) == Self.constants["eip712_domain_type_hash"])
        let agent = L1ActionHash.phantomAgent(connectionID: [UInt8](repeating: 0, count: 32), network: .mainnet)
        #expect(.string(agent.typeString) == Self.constants["l1_agent_type_string"])
        #expect(.string(hex(agent.typeHash)) == Self.constants["l1_agent_type_hash"])
    }

    @Test("domain separators of the Exchange domain and of user-signed actions on chain 0x66eee")
    func domainSeparators() {
        #expect(.string(hex(EIP712Domain.exchange.separator)) == Self.constants["l1_domain_separator"])
        #expect(.string(hex(EIP712Domain.userSignedTransaction(chainID: 0x66EEE).separator)) == Self.constants["user_signed_domain_separator_chain_0x66eee"])
    }

    @Test("every user-signed schema has the fixture's primary type, type string and type hash",
          arguments: ["usdSend", "withdraw3", "approveAgent", "spotSend", "usdClassTransfer"])
    func userSignedTypes(actionType: String) throws {
        let schema = try #require(UserSignedActionSchema.schema(forActionType: actionType))
        let expected = try #require(Self.constants["user_signed_types"]?[actionType])
        #expect(.string(schema.primaryType) == expected["primary_type"])
        // A message with placeholder values has the schema's types, hence its type string.
        var action: [(key: String, value: WireValue)] = [("type", .string(actionType))]
        for (name, type) in schema.fields {
            switch type {
            case .string: action.append((name, .string("x")))
            case .address: action.append((name, .string("0x" + String(repeating: "0", count: 40))))
            case .uint64: action.append((name, .integer(1)))
            case .bool: action.append((name, .bool(true)))
            }
        }
        let message = try schema.message(from: .map(action))
        #expect(.string(message.typeString) == expected["type_string"])
        #expect(.string(hex(message.typeHash)) == expected["type_hash"])
    }

    @Test("a user-signed action with a missing field, a wrong type or an unknown type is refused")
    func userSignedValidation() {
        let base: [(key: String, value: WireValue)] = [
            ("type", .string("usdSend")), ("destination", .string("0x5e9ee1089755c3435139848e47e6635505d5a13a")),
            ("amount", .string("1")), ("time", .integer(5)), ("signatureChainId", .string("0x66eee")), ("hyperliquidChain", .string("Testnet")),
        ]
        #expect(throws: HyperliquidError.invalidAction("usdSend lacks the field time")) {
            try UserSignedActionHash.typedData(action: .map(base.filter { $0.key != "time" }))
        }
        #expect(throws: HyperliquidError.invalidAction("action.time must be a non-negative integer")) {
            try UserSignedActionHash.typedData(action: .map(base.map { $0.key == "time" ? ($0.key, .string("5")) : $0 }))
        }
        #expect(throws: HyperliquidError.invalidHex(field: "action.signatureChainId")) {
            try UserSignedActionHash.typedData(action: .map(base.map { $0.key == "signatureChainId" ? ($0.key, .string("421614")) : $0 }))
        }
        #expect(throws: HyperliquidError.self) {
            try UserSignedActionHash.typedData(action: .map(base.map { $0.key == "type" ? ($0.key, .string("order")) : $0 }))
        }
    }
}
