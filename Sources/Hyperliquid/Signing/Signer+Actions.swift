/// An L1 action's signature and the intermediate hashes, for requests and for checking.
public struct SignedL1Action: Sendable, Hashable {
    /// keccak256 of the action's msgpack and suffix: the phantom agent's `connectionId`.
    public let connectionID: [UInt8]
    /// The EIP-712 digest that was signed.
    public let digest: [UInt8]
    /// The signature.
    public let signature: RecoverableSignature
}

/// A user-signed action's signature and digest.
public struct SignedUserAction: Sendable, Hashable {
    /// The EIP-712 digest that was signed.
    public let digest: [UInt8]
    /// The signature.
    public let signature: RecoverableSignature
}

extension Signer {
    /// Signs an L1 action given as its wire map: msgpack, connection id, phantom agent, EIP-712
    /// in the `Exchange` domain.
    /// - Throws: `HyperliquidError.signingFailed` when the library fails.
    public func signL1Action(
        _ action: WireValue, nonce: UInt64, vaultAddress: EthereumAddress? = nil,
        expiresAfter: UInt64? = nil, network: HyperliquidNetwork
    ) throws(HyperliquidError) -> SignedL1Action {
        let connectionID = L1ActionHash.connectionID(action: action, nonce: nonce, vaultAddress: vaultAddress, expiresAfter: expiresAfter)
        let agent = L1ActionHash.phantomAgent(connectionID: connectionID, network: network)
        let digest = EIP712Domain.exchange.digest(of: agent)
        return SignedL1Action(connectionID: connectionID, digest: digest, signature: try sign(digest: digest))
    }

    /// Signs a typed L1 action.
    /// - Throws: `HyperliquidError.signingFailed` when the library fails.
    public func signL1Action(
        _ action: ExchangeAction, nonce: UInt64, vaultAddress: EthereumAddress? = nil,
        expiresAfter: UInt64? = nil, network: HyperliquidNetwork
    ) throws(HyperliquidError) -> SignedL1Action {
        try signL1Action(action.wireValue, nonce: nonce, vaultAddress: vaultAddress, expiresAfter: expiresAfter, network: network)
    }

    /// Signs a user-signed action given as its wire map (with `type`, `signatureChainId`,
    /// `hyperliquidChain` and its own fields).
    /// - Throws: `HyperliquidError` when the action is not a known user-signed action or a field
    ///   is missing or malformed.
    public func signUserSignedAction(_ action: WireValue) throws(HyperliquidError) -> SignedUserAction {
        let typedData = try UserSignedActionHash.typedData(action: action)
        let digest = typedData.domain.digest(of: typedData.message)
        return SignedUserAction(digest: digest, signature: try sign(digest: digest))
    }

    /// Signs a typed user-signed action.
    /// - Throws: `HyperliquidError.signingFailed` when the library fails.
    public func signUserSignedAction(_ action: UserSignedAction) throws(HyperliquidError) -> SignedUserAction {
        try signUserSignedAction(action.signingValue)
    }
}
