import ArenaCore

/// The perpetuals the venue lists, as the arena trades them: each coin's asset index (what actions
/// carry), its name on the venue, and its `Instrument`.
public struct HyperliquidUniverse: Sendable, Hashable {
    /// One tradable perpetual.
    public struct Asset: Sendable, Hashable {
        /// The index actions carry in `a` / `asset`.
        public let index: Int
        /// The venue's name, as `/info` requests and answers carry it (`BTC`, `kPEPE`).
        public let coin: String
        /// Size decimals and maximum leverage.
        public let instrument: Instrument
        /// Set when only isolated margin is allowed.
        public let onlyIsolated: Bool
    }

    /// Every tradable asset by symbol.
    public let assets: [Symbol: Asset]
    private let symbolsByCoin: [String: Symbol]

    /// Builds the universe from `meta`: an asset's index is its position in the list. Delisted
    /// coins, names that are not symbols and metadata out of range are left out, never trusted.
    public init(meta: PerpMeta) {
        var assets: [Symbol: Asset] = [:]
        var symbolsByCoin: [String: Symbol] = [:]
        for (index, info) in meta.universe.enumerated() {
            guard info.isDelisted != true, let symbol = Symbol(info.name), assets[symbol] == nil,
                  (0...6).contains(info.szDecimals), (1...1_000).contains(info.maxLeverage)
            else { continue }
            let instrument = Instrument(symbol: symbol, sizeDecimals: info.szDecimals, maxLeverage: info.maxLeverage)
            assets[symbol] = Asset(index: index, coin: info.name, instrument: instrument, onlyIsolated: info.onlyIsolated ?? false)
            symbolsByCoin[info.name] = symbol
        }
        self.assets = assets
        self.symbolsByCoin = symbolsByCoin
    }

    /// The asset of `symbol`, if the venue lists it.
    public func asset(for symbol: Symbol) -> Asset? { assets[symbol] }

    /// The symbol of a coin named as the venue names it.
    public func symbol(forCoin coin: String) -> Symbol? { symbolsByCoin[coin] }

    /// Every asset's instrument, by symbol.
    public var instruments: [Symbol: Instrument] { assets.mapValues(\.instrument) }

    /// Every symbol, sorted.
    public var symbols: [Symbol] { assets.keys.sorted() }
}
