/// An Ethereum-style ECDSA signature: r, s and the recovery id that lets the verifier recover the
/// signer's address.
public struct RecoverableSignature: Sendable, Hashable {
    /// r as 32 bytes big-endian.
    public let r: [UInt8]
    /// s as 32 bytes big-endian; always in the lower half of the curve order.
    public let s: [UInt8]
    /// 0 or 1.
    public let recoveryID: UInt8

    /// Creates a signature from its parts; r and s must be 32 bytes and the recovery id 0 or 1.
    public init?(r: [UInt8], s: [UInt8], recoveryID: UInt8) {
        guard r.count == 32, s.count == 32, recoveryID <= 1 else { return nil }
        self.r = r
        self.s = s
        self.recoveryID = recoveryID
    }

    /// 27 or 28, as the venue expects.
    public var v: Int { 27 + Int(recoveryID) }

    /// r as the SDK writes it: `0x` hex with leading zeros dropped.
    public var rHex: String { Hex.minimalQuantity(r) }

    /// s as the SDK writes it: `0x` hex with leading zeros dropped.
    public var sHex: String { Hex.minimalQuantity(s) }

    /// The request body's `signature` object: `{"r", "s", "v"}`.
    public var wireValue: WireValue {
        .map([("r", .string(rHex)), ("s", .string(sHex)), ("v", .integer(Int64(v)))])
    }
}
