/// The JSON body POSTed to `/exchange`: `{action, nonce, signature, vaultAddress, expiresAfter}`,
/// with the last two null when unset, as the SDK sends it.
public struct ExchangeRequestBody: Sendable, Equatable {
    /// The action as posted.
    public var action: WireValue
    /// The nonce that was hashed (for user-signed actions, the action's time or nonce field).
    public var nonce: UInt64
    /// The signature.
    public var signature: RecoverableSignature
    /// The vault or subaccount acted for, if any.
    public var vaultAddress: EthereumAddress?
    /// The time after which the venue must reject the action, if any.
    public var expiresAfter: UInt64?

    /// Creates a body.
    public init(action: WireValue, nonce: UInt64, signature: RecoverableSignature, vaultAddress: EthereumAddress? = nil, expiresAfter: UInt64? = nil) {
        self.action = action
        self.nonce = nonce
        self.signature = signature
        self.vaultAddress = vaultAddress
        self.expiresAfter = expiresAfter
    }

    /// The body as a wire map.
    public var wireValue: WireValue {
        .map([
            ("action", action),
            ("nonce", .unsigned(nonce)),
            ("signature", signature.wireValue),
            ("vaultAddress", vaultAddress.map { .string($0.lowercaseHex) } ?? .null),
            ("expiresAfter", expiresAfter.map { .unsigned($0) } ?? .null),
        ])
    }

    /// The body as compact JSON text.
    public var jsonText: String { wireValue.jsonText() }
}
