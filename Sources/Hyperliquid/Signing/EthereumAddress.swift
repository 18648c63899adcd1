/// A 20-byte Ethereum address: a signer, an agent, a vault or a transfer destination.
public struct EthereumAddress: Sendable, Hashable, CustomStringConvertible {
    /// The 20 bytes.
    public let bytes: [UInt8]

    /// The zero address, the EIP-712 `verifyingContract` of Hyperliquid's domains.
    public static let zero = EthereumAddress(validatedBytes: [UInt8](repeating: 0, count: 20))

    /// Creates an address from 20 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// Parses `0x` and 40 hex digits in any case; the EIP-55 checksum is not enforced, as the SDK
    /// does not enforce it either.
    public init?(hex: some StringProtocol) {
        guard hex.hasPrefix("0x") || hex.hasPrefix("0X"), let bytes = Hex.decode(hex, byteCount: 20) else { return nil }
        self.bytes = bytes
    }

    private init(validatedBytes: [UInt8]) { self.bytes = validatedBytes }

    /// The address of the public key: the last 20 bytes of keccak256 of its 64-byte uncompressed
    /// form (without the 0x04 prefix).
    public init?(uncompressedPublicKey: [UInt8]) {
        guard uncompressedPublicKey.count == 64 else { return nil }
        self.bytes = Array(Keccak256.hash(uncompressedPublicKey).suffix(20))
    }

    /// `0x` and 40 lowercase hex digits.
    public var lowercaseHex: String { Hex.prefixed(bytes) }

    /// The EIP-55 mixed-case form: a letter is upper case where the matching nibble of keccak256
    /// of the lowercase hex is 8 or more.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes).utf8)
        let hash = Keccak256.hash(lower)
        var text = Array("0x".utf8)
        for (index, character) in lower.enumerated() {
            let hashByte = hash[index / 2]
            let hashNibble = index % 2 == 0 ? hashByte >> 4 : hashByte & 0x0F
            if character >= UInt8(ascii: "a"), hashNibble >= 8 {
                text.append(character - 32)
            } else {
                text.append(character)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The checksummed form.
    public var description: String { checksummed }
}
