import Arena
import ArenaCore
import ArgumentParser
import HTTP
import Hyperliquid
import Logging
import Storage

extension ServeCommand {
    /// The tracker's settings from `--traders-coins`, `--traders-discover-seconds` and `--traders-track-seconds`.
    /// - Throws: `ValidationError` saying which value is wrong.
    func traderTrackingConfiguration() throws -> TraderTrackingConfiguration {
        var coins: [String] = []
        for part in tradersCoins.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let symbol = Symbol(text) else {
                throw ValidationError("--traders-coins must be coin names separated by commas, such as BTC,ETH,SOL (\(text.prefix(20)) is not one).")
            }
            if !coins.contains(symbol.name) { coins.append(symbol.name) }
        }
        guard (1...50).contains(coins.count) else { throw ValidationError("--traders-coins must name 1 to 50 coins.") }
        guard (1...86_400).contains(tradersDiscoverSeconds) else { throw ValidationError("--traders-discover-seconds must be 1 to 86400.") }
        guard (1...86_400).contains(tradersTrackSeconds) else { throw ValidationError("--traders-track-seconds must be 1 to 86400.") }
        return TraderTrackingConfiguration(coins: coins, discoverSeconds: tradersDiscoverSeconds, trackSeconds: tradersTrackSeconds)
    }

    /// The Hyperliquid endpoint `--market` names, or nil for a market that is not Hyperliquid.
    func hyperliquidEndpoint() throws -> HyperliquidEndpoint? {
        guard market == "hyperliquid" || market.hasPrefix("hyperliquid:") else { return nil }
        let target = market.dropFirst("hyperliquid".count).drop(while: { $0 == ":" })
        if target == "testnet" { return .testnet }
        if target.isEmpty || target == "mainnet" { return .mainnet }
        return try HyperliquidEndpoint(network: .mainnet, baseURL: String(target))
    }

    /// Why traders are not tracked with this market, or nil when they are.
    func trackingOffReason(marketIsLive: Bool) -> String? {
        if (try? hyperliquidEndpoint()) == nil {
            return "the market is \(market.prefix(40)), not Hyperliquid: traders are listed but not tracked (start with --market hyperliquid to track them)"
        }
        if !marketIsLive {
            return "Hyperliquid was unreachable at start-up (the arena runs the simulation): traders are listed but not tracked until a restart reaches it"
        }
        return nil
    }

    /// The tracker service, when the market is Hyperliquid and reachable; logs why not otherwise.
    func traderTracker(book: TraderBook, runtime: ArenaRuntime, configuration: TraderTrackingConfiguration, marketIsLive: Bool,
                       clock: any WallClock, logger: Logger) throws -> TraderTracker? {
        if let reason = trackingOffReason(marketIsLive: marketIsLive) {
            logger.notice("trader tracking off", metadata: ["reason": "\(reason)"])
            return nil
        }
        guard let endpoint = try hyperliquidEndpoint() else { return nil }
        let info = TraderTracker.infoClient(http: try HTTPClient(), endpoint: endpoint,
                                            limiter: runtime.venueWeightLimiter ?? RequestWeightLimiter(), configuration: configuration)
        return TraderTracker(book: book, recorder: runtime.recorder, info: info, configuration: configuration, clock: clock, logger: logger)
    }
}
