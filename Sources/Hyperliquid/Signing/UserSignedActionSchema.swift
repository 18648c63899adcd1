/// The EIP-712 shape of one kind of user-signed action: its primary type and the action fields
/// that are signed, in order. Other fields of the action (`type`, `signatureChainId`) are posted
/// but not signed. A few signed fields may be left out of the posted action: the venue then
/// signs them as the empty string (`approveAgent` without a name).
public struct UserSignedActionSchema: Sendable {
    /// The Solidity type of a signed field.
    public enum FieldType: String, Sendable {
        /// `string`, `address`, `uint64` or `bool`.
        case string, address, uint64, bool
    }

    /// The action's `type` on the wire, such as `usdSend`.
    public let actionType: String
    /// The EIP-712 primary type, such as `HyperliquidTransaction:UsdSend`.
    public let primaryType: String
    /// The signed fields in declaration order.
    public let fields: [(name: String, type: FieldType)]
    /// The string fields that the posted action may omit; they are signed as `""`, as the venue
    /// and the SDK do (`Exchange.approve_agent` signs `agentName: ""`, then deletes the key).
    public let emptyWhenAbsent: Set<String>

    /// Creates a schema.
    public init(actionType: String, primaryType: String, fields: [(name: String, type: FieldType)], emptyWhenAbsent: Set<String> = []) {
        self.actionType = actionType
        self.primaryType = primaryType
        self.fields = fields
        self.emptyWhenAbsent = emptyWhenAbsent
    }

    /// The schemas of the user-signed actions this module signs, as the SDK 0.24.0 declares them.
    public static let known: [UserSignedActionSchema] = [
        UserSignedActionSchema(actionType: "usdSend", primaryType: "HyperliquidTransaction:UsdSend", fields: [
            ("hyperliquidChain", .string), ("destination", .string), ("amount", .string), ("time", .uint64),
        ]),
        UserSignedActionSchema(actionType: "withdraw3", primaryType: "HyperliquidTransaction:Withdraw", fields: [
            ("hyperliquidChain", .string), ("destination", .string), ("amount", .string), ("time", .uint64),
        ]),
        UserSignedActionSchema(actionType: "approveAgent", primaryType: "HyperliquidTransaction:ApproveAgent", fields: [
            ("hyperliquidChain", .string), ("agentAddress", .address), ("agentName", .string), ("nonce", .uint64),
        ], emptyWhenAbsent: ["agentName"]),
        UserSignedActionSchema(actionType: "spotSend", primaryType: "HyperliquidTransaction:SpotSend", fields: [
            ("hyperliquidChain", .string), ("destination", .string), ("token", .string), ("amount", .string), ("time", .uint64),
        ]),
        UserSignedActionSchema(actionType: "usdClassTransfer", primaryType: "HyperliquidTransaction:UsdClassTransfer", fields: [
            ("hyperliquidChain", .string), ("amount", .string), ("toPerp", .bool), ("nonce", .uint64),
        ]),
    ]

    /// Returns the schema of an action type, or nil when it is not a known user-signed action.
    public static func schema(forActionType actionType: String) -> UserSignedActionSchema? {
        known.first(where: { $0.actionType == actionType })
    }

    /// Returns the EIP-712 message built from the action's fields.
    /// - Throws: `HyperliquidError` naming a missing field or one of the wrong type.
    public func message(from action: WireValue) throws(HyperliquidError) -> EIP712Struct {
        var signed: [EIP712Struct.Field] = []
        for (name, type) in fields {
            guard let value = action[name] ?? (emptyWhenAbsent.contains(name) ? .string("") : nil) else {
                throw .invalidAction("\(actionType) lacks the field \(name)")
            }
            switch (type, value) {
            case (.string, .string(let text)):
                signed.append(.init(name, .string(text)))
            case (.address, .string(let text)):
                guard let address = EthereumAddress(hex: text) else { throw .invalidAddress(field: "action.\(name)") }
                signed.append(.init(name, .address(address)))
            case (.uint64, _):
                guard let number = value.unsignedIntegerValue else {
                    throw .invalidAction("action.\(name) must be a non-negative integer")
                }
                signed.append(.init(name, .uint64(number)))
            case (.bool, .bool(let flag)):
                signed.append(.init(name, .bool(flag)))
            default:
                throw .invalidAction("action.\(name) must be a \(type == .address ? "string holding an address" : type.rawValue)")
            }
        }
        return EIP712Struct(typeName: primaryType, fields: signed)
    }
}

/// Hashing of user-signed actions, which the owner's wallet signs directly (no phantom agent).
public enum UserSignedActionHash {
    /// Returns the domain and message of a user-signed action given as its wire map: the schema
    /// comes from its `type`, the domain's chain from its `signatureChainId` (hex).
    /// - Throws: `HyperliquidError` when the type is not a known user-signed action or a field is
    ///   missing or malformed.
    public static func typedData(action: WireValue) throws(HyperliquidError) -> (domain: EIP712Domain, message: EIP712Struct) {
        guard case .string(let actionType)? = action["type"] else { throw .invalidAction("action.type must be a string") }
        guard let schema = UserSignedActionSchema.schema(forActionType: actionType) else {
            let known = UserSignedActionSchema.known.map(\.actionType).joined(separator: ", ")
            throw .invalidAction("action.type is not a supported user-signed action (supported: \(known))")
        }
        guard case .string(let chainText)? = action["signatureChainId"] else {
            throw .invalidAction("action.signatureChainId must be a hex string such as \"0x66eee\"")
        }
        guard let chainID = parseChainID(chainText) else { throw .invalidHex(field: "action.signatureChainId") }
        return (EIP712Domain.userSignedTransaction(chainID: chainID), try schema.message(from: action))
    }

    /// Parses `0x` and 1 to 16 hex digits.
    static func parseChainID(_ text: String) -> UInt64? {
        guard text.hasPrefix("0x"), text.count > 2, text.count <= 18 else { return nil }
        return UInt64(text.dropFirst(2), radix: 16)
    }
}
