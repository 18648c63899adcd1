/// Which Hyperliquid chain an action is for; part of every signature, so that an action signed
/// for testnet cannot be replayed on mainnet.
public enum HyperliquidNetwork: String, Sendable, Hashable, Codable {
    /// The production chain.
    case mainnet
    /// The test chain.
    case testnet

    /// The `source` of the L1 phantom agent: "a" on mainnet, "b" on testnet.
    public var phantomAgentSource: String {
        switch self {
        case .mainnet: "a"
        case .testnet: "b"
        }
    }

    /// The `hyperliquidChain` field of user-signed actions: "Mainnet" or "Testnet".
    public var chainName: String {
        switch self {
        case .mainnet: "Mainnet"
        case .testnet: "Testnet"
        }
    }
}
