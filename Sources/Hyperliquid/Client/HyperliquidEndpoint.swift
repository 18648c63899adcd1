/// Where a Hyperliquid network is reached: the REST base (`/info`, `/exchange`) and the WebSocket
/// (`/ws`). The network is always explicit and is what actions are signed for; the URLs only say
/// where to send them, so tests can point a testnet or mainnet client at 127.0.0.1.
public struct HyperliquidEndpoint: Sendable, Hashable {
    /// The chain actions are signed for.
    public var network: HyperliquidNetwork
    /// The REST base, without a trailing slash, such as `https://api.hyperliquid.xyz`.
    public var baseURL: String
    /// The WebSocket URL, such as `wss://api.hyperliquid.xyz/ws`.
    public var webSocketURL: String

    /// Creates an endpoint; the WebSocket URL defaults to the base with `ws(s)://` and `/ws`.
    /// - Throws: `HyperliquidClientError.invalidRequest` unless the base is an `http` or `https` URL.
    public init(network: HyperliquidNetwork, baseURL: String, webSocketURL: String? = nil) throws(HyperliquidClientError) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://"), base.count > "https://".count else {
            throw .invalidRequest("the Hyperliquid base URL must start with http:// or https://")
        }
        self.network = network
        self.baseURL = base
        self.webSocketURL = webSocketURL ?? Self.webSocketURL(forBase: base)
    }

    private init(network: HyperliquidNetwork, trustedBase: String) {
        self.network = network
        baseURL = trustedBase
        webSocketURL = Self.webSocketURL(forBase: trustedBase)
    }

    /// The production venue.
    public static let mainnet = HyperliquidEndpoint(network: .mainnet, trustedBase: "https://api.hyperliquid.xyz")
    /// The test venue.
    public static let testnet = HyperliquidEndpoint(network: .testnet, trustedBase: "https://api.hyperliquid-testnet.xyz")

    /// The public endpoint of `network`.
    public static func `default`(for network: HyperliquidNetwork) -> HyperliquidEndpoint {
        network == .mainnet ? mainnet : testnet
    }

    /// `POST` target for reads.
    public var infoURL: String { baseURL + "/info" }
    /// `POST` target for signed actions.
    public var exchangeURL: String { baseURL + "/exchange" }

    static func webSocketURL(forBase base: String) -> String {
        if base.hasPrefix("https://") { return "wss://" + base.dropFirst("https://".count) + "/ws" }
        return "ws://" + base.dropFirst("http://".count) + "/ws"
    }
}
