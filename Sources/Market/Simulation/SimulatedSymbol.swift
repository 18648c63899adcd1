import ArenaCore

/// How one coin behaves in the simulation: where it starts, how much it moves, how deep its book
/// is and how much it trades.
public struct SimulatedSymbol: Sendable, Hashable {
    /// The contract, whose grid every simulated price respects.
    public var instrument: Instrument
    /// The price at the start of the run.
    public var startPrice: FixedDecimal
    /// The long-run annualised volatility of returns (0.75 is 75%), before the simulation's
    /// volatility scale.
    public var annualVolatility: Double
    /// The correlation of this coin's shocks with the lead coin's (the first configured); ignored
    /// for the lead itself.
    public var correlationWithLead: Double
    /// The USD value of the first book level on each side, before noise.
    public var topLevelNotional: Double
    /// The typical open interest in USD at the start price.
    public var openInterestNotional: Double
    /// The typical traded value in USD over a day.
    public var dailyVolumeNotional: Double

    /// The coin's symbol.
    public var symbol: Symbol { instrument.symbol }

    /// Creates the description of one simulated coin.
    public init(instrument: Instrument, startPrice: FixedDecimal, annualVolatility: Double, correlationWithLead: Double,
                topLevelNotional: Double, openInterestNotional: Double, dailyVolumeNotional: Double) {
        self.instrument = instrument
        self.startPrice = startPrice
        self.annualVolatility = annualVolatility
        self.correlationWithLead = correlationWithLead
        self.topLevelNotional = topLevelNotional
        self.openInterestNotional = openInterestNotional
        self.dailyVolumeNotional = dailyVolumeNotional
    }

    /// Returns a coin with the instrument the arena knows for `symbol` and generic behaviour, for
    /// symbols beyond the three built in.
    /// - Parameters:
    ///   - symbol: The coin.
    ///   - startPrice: Its starting price.
    public static func generic(_ symbol: Symbol, startPrice: FixedDecimal) -> SimulatedSymbol {
        SimulatedSymbol(instrument: Instrument.defaultInstrument(for: symbol), startPrice: startPrice,
                        annualVolatility: 0.9, correlationWithLead: 0.6, topLevelNotional: 10_000,
                        openInterestNotional: 100_000_000, dailyVolumeNotional: 100_000_000)
    }

    private static func builtIn(_ name: String, price: Int, volatility: Double, correlation: Double,
                                topLevel: Double, openInterest: Double, dailyVolume: Double) -> SimulatedSymbol {
        guard let symbol = Symbol(name) else { preconditionFailure("built-in symbol \(name) is not valid") }
        return SimulatedSymbol(instrument: Instrument.defaultInstrument(for: symbol), startPrice: FixedDecimal(price),
                               annualVolatility: volatility, correlationWithLead: correlation, topLevelNotional: topLevel,
                               openInterestNotional: openInterest, dailyVolumeNotional: dailyVolume)
    }

    /// Bitcoin near 97,000 with a deep book: the lead coin.
    public static let bitcoin = builtIn("BTC", price: 97_000, volatility: 0.6, correlation: 1,
                                        topLevel: 20_000, openInterest: 3_000_000_000, dailyVolume: 3_000_000_000)
    /// Ether near 3,400.
    public static let ether = builtIn("ETH", price: 3_400, volatility: 0.75, correlation: 0.8,
                                      topLevel: 15_000, openInterest: 1_500_000_000, dailyVolume: 1_500_000_000)
    /// Solana near 190.
    public static let solana = builtIn("SOL", price: 190, volatility: 0.9, correlation: 0.7,
                                       topLevel: 8_000, openInterest: 500_000_000, dailyVolume: 600_000_000)
    /// BTC, ETH and SOL, BTC first so that it leads.
    public static let defaults: [SimulatedSymbol] = [bitcoin, ether, solana]
}
