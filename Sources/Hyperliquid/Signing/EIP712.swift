/// One field value of an EIP-712 struct, with its Solidity type.
///
/// Only the atomic types Hyperliquid's messages use; no nested structs or arrays.
public enum EIP712Value: Sendable, Hashable {
    /// `string`: encoded as keccak256 of its UTF-8 bytes.
    case string(String)
    /// `address`: the 20 bytes left-padded to 32.
    case address(EthereumAddress)
    /// `uint64`: big-endian, left-padded to 32 bytes.
    case uint64(UInt64)
    /// `uint256` with a value that fits 64 bits (a chain id).
    case uint256(UInt64)
    /// `bool`: 0 or 1 in 32 bytes.
    case bool(Bool)
    /// `bytes32`: exactly 32 bytes, as is.
    case bytes32([UInt8])

    /// The Solidity type name used in the type string.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .address: "address"
        case .uint64: "uint64"
        case .uint256: "uint256"
        case .bool: "bool"
        case .bytes32: "bytes32"
        }
    }

    /// Appends the 32-byte `encodeData` word of the value.
    func encode(into words: inout [UInt8]) {
        switch self {
        case .string(let text):
            words.append(contentsOf: Keccak256.hash(text.utf8))
        case .address(let address):
            words.append(contentsOf: repeatElement(0, count: 12))
            words.append(contentsOf: address.bytes)
        case .uint64(let value), .uint256(let value):
            words.append(contentsOf: repeatElement(0, count: 24))
            WireValue.appendBigEndian(value, byteCount: 8, to: &words)
        case .bool(let value):
            words.append(contentsOf: repeatElement(0, count: 31))
            words.append(value ? 1 : 0)
        case .bytes32(let bytes):
            precondition(bytes.count == 32, "bytes32 value must be 32 bytes")
            words.append(contentsOf: bytes)
        }
    }
}

/// An EIP-712 struct instance: a type name and its fields in declaration order.
public struct EIP712Struct: Sendable, Hashable {
    /// The struct's type name, such as `Agent` or `HyperliquidTransaction:UsdSend`.
    public var typeName: String
    /// The fields in declaration order.
    public var fields: [Field]

    /// A named field.
    public struct Field: Sendable, Hashable {
        /// The field name.
        public var name: String
        /// The value, which also gives the field's type.
        public var value: EIP712Value

        /// Creates a field.
        public init(_ name: String, _ value: EIP712Value) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a struct instance.
    public init(typeName: String, fields: [Field]) {
        self.typeName = typeName
        self.fields = fields
    }

    /// `Name(type1 name1,type2 name2)`: the `encodeType` of a struct without struct members.
    public var typeString: String {
        typeName + "(" + fields.map { "\($0.value.typeName) \($0.name)" }.joined(separator: ",") + ")"
    }

    /// keccak256 of the type string.
    public var typeHash: [UInt8] { Keccak256.hash(typeString.utf8) }

    /// `hashStruct`: keccak256 of the type hash followed by each field's 32-byte word.
    public var structHash: [UInt8] {
        var words = typeHash
        words.reserveCapacity(32 * (fields.count + 1))
        for field in fields {
            field.value.encode(into: &words)
        }
        return Keccak256.hash(words)
    }
}

/// The EIP-712 domain of a signature: who verifies it and on which chain.
public struct EIP712Domain: Sendable, Hashable {
    /// The domain name.
    public var name: String
    /// The domain version.
    public var version: String
    /// The chain id.
    public var chainID: UInt64
    /// The verifying contract.
    public var verifyingContract: EthereumAddress

    /// Creates a domain.
    public init(name: String, version: String, chainID: UInt64, verifyingContract: EthereumAddress) {
        self.name = name
        self.version = version
        self.chainID = chainID
        self.verifyingContract = verifyingContract
    }

    /// The domain of L1 actions: `Exchange`, version 1, chain 1337, zero contract.
    public static let exchange = EIP712Domain(name: "Exchange", version: "1", chainID: 1337, verifyingContract: .zero)

    /// The domain of user-signed actions, on the chain their `signatureChainId` names.
    public static func userSignedTransaction(chainID: UInt64) -> EIP712Domain {
        EIP712Domain(name: "HyperliquidSignTransaction", version: "1", chainID: chainID, verifyingContract: .zero)
    }

    /// The domain as an `EIP712Domain` struct.
    public var structValue: EIP712Struct {
        EIP712Struct(typeName: "EIP712Domain", fields: [
            .init("name", .string(name)),
            .init("version", .string(version)),
            .init("chainId", .uint256(chainID)),
            .init("verifyingContract", .address(verifyingContract)),
        ])
    }

    /// The domain separator: `hashStruct` of the domain.
    public var separator: [UInt8] { structValue.structHash }

    /// Returns the digest to sign: keccak256(0x19 0x01 ‖ domain separator ‖ hashStruct(message)).
    public func digest(of message: EIP712Struct) -> [UInt8] {
        var bytes: [UInt8] = [0x19, 0x01]
        bytes.reserveCapacity(66)
        bytes.append(contentsOf: separator)
        bytes.append(contentsOf: message.structHash)
        return Keccak256.hash(bytes)
    }
}
