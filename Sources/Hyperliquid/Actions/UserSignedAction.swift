import ArenaCore

/// An action the account owner signs with EIP-712 directly, rather than through the L1 phantom
/// agent: approving an agent key, sending or withdrawing USDC.
public struct UserSignedAction: Sendable, Hashable {
    /// What the action does.
    public enum Kind: Sendable, Hashable {
        /// Authorises `agent` to sign L1 actions for the account; an unnamed agent is signed with
        /// an empty name and posted without `agentName`, as the SDK does.
        case approveAgent(agent: EthereumAddress, name: String?, nonce: UInt64)
        /// Sends USDC to another account on Hyperliquid; `time` is also the request nonce.
        case usdSend(destination: EthereumAddress, amount: FixedDecimal, time: UInt64)
        /// Withdraws USDC to Arbitrum (`withdraw3`); `time` is also the request nonce.
        case withdraw(destination: EthereumAddress, amount: FixedDecimal, time: UInt64)
    }

    /// The chain id that the SDK signs user actions on: 0x66eee (421614, Arbitrum Sepolia).
    public static let defaultSignatureChainID: UInt64 = 0x66EEE

    /// What the action does.
    public var kind: Kind
    /// The Hyperliquid chain, signed as `hyperliquidChain`.
    public var network: HyperliquidNetwork
    /// The EIP-712 domain's chain id, posted as `signatureChainId`.
    public var signatureChainID: UInt64

    /// Creates an action.
    public init(_ kind: Kind, network: HyperliquidNetwork, signatureChainID: UInt64 = UserSignedAction.defaultSignatureChainID) {
        self.kind = kind
        self.network = network
        self.signatureChainID = signatureChainID
    }

    /// The nonce of the request that posts this action: its `nonce` or `time` field.
    public var nonce: UInt64 {
        switch kind {
        case .approveAgent(_, _, let nonce): nonce
        case .usdSend(_, _, let time), .withdraw(_, _, let time): time
        }
    }

    /// The action as posted: `type`, its own fields, `signatureChainId`, `hyperliquidChain`.
    public var wireValue: WireValue { wireValue(forSigning: false) }

    /// The action as signed; differs from `wireValue` only for an unnamed agent.
    var signingValue: WireValue { wireValue(forSigning: true) }

    private func wireValue(forSigning: Bool) -> WireValue {
        var entries: [(key: String, value: WireValue)] = []
        switch kind {
        case .approveAgent(let agent, let name, let nonce):
            entries.append(("type", .string("approveAgent")))
            entries.append(("agentAddress", .string(agent.checksummed)))
            if let name {
                entries.append(("agentName", .string(name)))
            } else if forSigning {
                entries.append(("agentName", .string("")))
            }
            entries.append(("nonce", .unsigned(nonce)))
        case .usdSend(let destination, let amount, let time):
            entries.append(("type", .string("usdSend")))
            entries.append(("destination", .string(destination.lowercaseHex)))
            entries.append(("amount", .string(WireNumber.string(amount))))
            entries.append(("time", .unsigned(time)))
        case .withdraw(let destination, let amount, let time):
            entries.append(("type", .string("withdraw3")))
            entries.append(("destination", .string(destination.lowercaseHex)))
            entries.append(("amount", .string(WireNumber.string(amount))))
            entries.append(("time", .unsigned(time)))
        }
        entries.append(("signatureChainId", .string("0x" + String(signatureChainID, radix: 16))))
        entries.append(("hyperliquidChain", .string(network.chainName)))
        return .map(entries)
    }
}
