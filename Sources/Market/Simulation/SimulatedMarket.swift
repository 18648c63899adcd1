import ArenaCore
import Foundation

/// A seeded, endless market: a random walk per coin with volatility clustering, correlated with
/// the lead coin, quoted through synthetic books on the venue's price grid.
///
/// Each step draws, per coin, a normal shock (correlated with the lead coin's shock), scales it by
/// a GARCH(1,1) standard deviation, and moves the log price by it. Funding mean-reverts around
/// 0.00125% an hour, open interest wanders a few percent around its typical value, and volume
/// grows with the current volatility. The first call to `next()` returns the state at the start
/// time; each later call is one step later. Two simulations with equal configurations return
/// identical snapshots.
public struct SimulatedMarket: MarketSource {
    /// Everything that determines a simulation run.
    public struct Configuration: Sendable, Hashable {
        /// The seed of every random draw.
        public var seed: UInt64
        /// The time of the first snapshot.
        public var start: Timestamp
        /// The time between snapshots.
        public var stepMilliseconds: Int64
        /// The coins, the first leading the others.
        public var symbols: [SimulatedSymbol]
        /// A multiplier on every coin's volatility, so that prices visibly move in a short demo
        /// (1 is realistic).
        public var volatilityScale: Double
        /// GARCH(1,1) weight of the last squared shock in the next variance.
        public var shockWeight: Double
        /// GARCH(1,1) weight of the last variance in the next variance.
        public var variancePersistence: Double
        /// The hourly funding rate around which funding reverts (0.00125% an hour).
        public var fundingMean: Double
        /// How fast funding reverts to its mean, per hour.
        public var fundingReversionPerHour: Double
        /// The standard deviation of funding's noise over one hour.
        public var fundingVolatilityPerHour: Double
        /// The synthetic book around each price.
        public var book: BookBuilder

        /// Creates a configuration; only the seed and start time have no sensible default.
        public init(seed: UInt64, start: Timestamp, stepMilliseconds: Int64 = 1_000,
                    symbols: [SimulatedSymbol] = SimulatedSymbol.defaults, volatilityScale: Double = 2,
                    shockWeight: Double = 0.05, variancePersistence: Double = 0.94,
                    fundingMean: Double = 0.0000125, fundingReversionPerHour: Double = 0.5,
                    fundingVolatilityPerHour: Double = 0.00001, book: BookBuilder = BookBuilder()) {
            self.seed = seed
            self.start = start
            self.stepMilliseconds = stepMilliseconds
            self.symbols = symbols
            self.volatilityScale = volatilityScale
            self.shockWeight = shockWeight
            self.variancePersistence = variancePersistence
            self.fundingMean = fundingMean
            self.fundingReversionPerHour = fundingReversionPerHour
            self.fundingVolatilityPerHour = fundingVolatilityPerHour
            self.book = book
        }
    }

    /// The evolving state of one coin.
    struct CoinState: Sendable {
        var price: Double
        /// The GARCH variance of the next step's log return.
        var variance: Double
        /// The long-run variance of one step's log return.
        var targetVariance: Double
        var fundingRate: Double
        /// The log of open interest relative to its typical value.
        var openInterestDeviation: Double
    }

    private static let secondsPerYear = 365.0 * 86_400

    /// The configuration the simulation was built from.
    public let configuration: Configuration
    public let symbols: [Symbol]
    public let instruments: [Symbol: Instrument]
    public var description: String { "simulation (seed \(configuration.seed))" }

    private var coins: [CoinState]
    private var pathRandom: SeededRandom
    private var bookRandom: SeededRandom
    private var stepsTaken: Int64 = 0
    private var started = false

    /// Creates a simulation.
    /// - Parameter configuration: The seed, start time, step and coins.
    /// - Throws: `MarketError.invalidConfiguration` for an empty or duplicated coin list, a
    ///   non-positive step or price, or volatility and GARCH parameters out of range.
    public init(configuration: Configuration) throws {
        try Self.validate(configuration)
        self.configuration = configuration
        symbols = configuration.symbols.map(\.symbol).sorted()
        instruments = Dictionary(uniqueKeysWithValues: configuration.symbols.map { ($0.symbol, $0.instrument) })
        pathRandom = SeededRandom(seed: configuration.seed, stream: 1)
        bookRandom = SeededRandom(seed: configuration.seed, stream: 2)
        let stepYears = Double(configuration.stepMilliseconds) / 1_000 / Self.secondsPerYear
        coins = configuration.symbols.map { coin in
            let volatility = coin.annualVolatility * configuration.volatilityScale
            let target = volatility * volatility * stepYears
            return CoinState(price: coin.startPrice.doubleValue, variance: target, targetVariance: target,
                             fundingRate: configuration.fundingMean, openInterestDeviation: 0)
        }
    }

    /// Creates the default BTC, ETH and SOL simulation.
    /// - Parameters:
    ///   - seed: The seed of every random draw.
    ///   - start: The time of the first snapshot.
    ///   - stepMilliseconds: The time between snapshots.
    /// - Throws: `MarketError.invalidConfiguration` for a non-positive step.
    public init(seed: UInt64, start: Timestamp, stepMilliseconds: Int64 = 1_000) throws {
        try self.init(configuration: Configuration(seed: seed, start: start, stepMilliseconds: stepMilliseconds))
    }

    private static func validate(_ configuration: Configuration) throws {
        func fail(_ reason: String) -> MarketError { .invalidConfiguration(reason) }
        guard !configuration.symbols.isEmpty else { throw fail("the simulation needs at least one symbol") }
        guard Set(configuration.symbols.map(\.symbol)).count == configuration.symbols.count else {
            throw fail("each simulated symbol may appear only once")
        }
        guard (1...86_400_000).contains(configuration.stepMilliseconds) else {
            throw fail("the step must be 1 ms to one day, not \(configuration.stepMilliseconds) ms")
        }
        guard configuration.volatilityScale.isFinite, (0...100).contains(configuration.volatilityScale) else {
            throw fail("the volatility scale must be within 0 and 100")
        }
        let weight = configuration.shockWeight, persistence = configuration.variancePersistence
        guard weight >= 0, persistence >= 0, weight + persistence < 1 else {
            throw fail("GARCH weights must be non-negative and sum to less than 1")
        }
        guard configuration.fundingMean.isFinite, configuration.fundingMean.magnitude < 0.04,
              configuration.fundingReversionPerHour.isFinite, configuration.fundingReversionPerHour >= 0,
              configuration.fundingVolatilityPerHour.isFinite, configuration.fundingVolatilityPerHour >= 0 else {
            throw fail("funding parameters must be finite, non-negative rates under 4% an hour")
        }
        for coin in configuration.symbols {
            guard coin.startPrice.isPositive, coin.instrument.roundPrice(coin.startPrice).isPositive else {
                throw fail("\(coin.symbol) needs a positive start price on its price grid")
            }
            guard coin.annualVolatility.isFinite, (0...20).contains(coin.annualVolatility) else {
                throw fail("\(coin.symbol) volatility must be within 0 and 20")
            }
            guard (-1...1).contains(coin.correlationWithLead) else {
                throw fail("\(coin.symbol) correlation must be within -1 and 1")
            }
            for value in [coin.topLevelNotional, coin.openInterestNotional, coin.dailyVolumeNotional] {
                guard value.isFinite, value > 0, value < 1e12 else {
                    throw fail("\(coin.symbol) book depth, open interest and volume must be positive USD amounts under 10^12")
                }
            }
        }
        try configuration.book.validate()
    }

    /// Returns the next state; the simulation never ends.
    public mutating func next() throws -> MarketSnapshot? {
        if started { advance() } else { started = true }
        let time = configuration.start.adding(milliseconds: stepsTaken * configuration.stepMilliseconds)
        var quotes: [Symbol: Quote] = [:]
        for index in coins.indices {
            let coin = configuration.symbols[index]
            let state = coins[index]
            let book = configuration.book.book(around: FixedDecimal(approximating: state.price) ?? coin.startPrice,
                                               instrument: coin.instrument, topLevelNotional: coin.topLevelNotional,
                                               random: &bookRandom)
            let mid = book.mid ?? coin.instrument.roundPrice(coin.startPrice)
            let openInterestCoins = coin.openInterestNotional / coin.startPrice.doubleValue * exp(state.openInterestDeviation)
            quotes[coin.symbol] = Quote(
                symbol: coin.symbol, mid: mid, mark: mid, book: book,
                fundingRate: FixedDecimal(approximating: state.fundingRate) ?? .zero,
                openInterest: FixedDecimal(approximating: openInterestCoins).map { coin.instrument.roundSize($0) },
                volume: volume(of: coin, state: state))
        }
        return MarketSnapshot(time: time, quotes: quotes)
    }

    /// Moves every coin one step.
    private mutating func advance() {
        stepsTaken += 1
        let stepHours = Double(configuration.stepMilliseconds) / 3_600_000
        let leadShock = pathRandom.nextGaussian()
        for index in coins.indices {
            let coin = configuration.symbols[index]
            var state = coins[index]
            let shock: Double
            if index == 0 {
                shock = leadShock
            } else {
                let correlation = coin.correlationWithLead
                shock = correlation * leadShock + (1 - correlation * correlation).squareRoot() * pathRandom.nextGaussian()
            }
            let logReturn = state.variance.squareRoot() * shock
            // The drift correction keeps the expected price constant.
            state.price *= exp(logReturn - state.variance / 2)
            let baseline = state.targetVariance * (1 - configuration.shockWeight - configuration.variancePersistence)
            let nextVariance = baseline + configuration.shockWeight * logReturn * logReturn
                + configuration.variancePersistence * state.variance
            // Bounds keep a freak shock from sending the walk into absurd volatility.
            state.variance = min(max(nextVariance, state.targetVariance / 16), state.targetVariance * 16)

            let fundingShock = pathRandom.nextGaussian()
            state.fundingRate += configuration.fundingReversionPerHour * (configuration.fundingMean - state.fundingRate) * stepHours
                + configuration.fundingVolatilityPerHour * stepHours.squareRoot() * fundingShock
            state.fundingRate = min(max(state.fundingRate, -0.04), 0.04)

            let interestShock = pathRandom.nextGaussian()
            state.openInterestDeviation += -state.openInterestDeviation * stepHours + 0.02 * stepHours.squareRoot() * interestShock
            coins[index] = state
        }
    }

    /// Returns the coins traded over the last step: the typical amount, larger when volatility is
    /// high, with log-normal noise.
    private mutating func volume(of coin: SimulatedSymbol, state: CoinState) -> FixedDecimal {
        let stepDays = Double(configuration.stepMilliseconds) / 86_400_000
        let activity = state.targetVariance > 0 ? (state.variance / state.targetVariance).squareRoot() : 1
        let noise = exp(0.5 * pathRandom.nextGaussian() - 0.125)
        let coins = coin.dailyVolumeNotional * stepDays * activity * noise / state.price
        guard let volume = FixedDecimal(approximating: coins) else { return .zero }
        return coin.instrument.roundSize(volume)
    }
}
