import ArenaCore

/// Builds a synthetic level-2 book around a price, for sources that know a price but no book
/// (the simulation and CSV replay).
///
/// The book has a spread of at least one price step (a fraction of a basis point for the large
/// coins), levels spaced a fraction of a basis point apart, and sizes that grow with depth with
/// seeded noise, so that an order of about $100k walks several levels. Every price lies on the
/// instrument's grid and every size on its size step.
public struct BookBuilder: Sendable, Hashable {
    /// Levels on each side.
    public var levels: Int
    /// The target spread between best bid and best ask, in basis points of the price; never less
    /// than one price step.
    public var spreadBasisPoints: Double
    /// The target distance between neighbouring levels, in basis points; never less than one
    /// price step.
    public var levelSpacingBasisPoints: Double
    /// How much each level deeper adds to the first level's notional (0.25: level 4 is twice
    /// level 0).
    public var depthGrowth: Double
    /// The standard deviation of the multiplicative noise on each level's size (uniform, mean 1).
    public var sizeNoise: Double
    /// The chance that the spread is one step wider than its target, so spreads flicker.
    public var widerSpreadProbability: Double

    /// Creates a builder; the defaults resemble Hyperliquid's books for the large coins.
    public init(levels: Int = 20, spreadBasisPoints: Double = 0.2, levelSpacingBasisPoints: Double = 0.5,
                depthGrowth: Double = 0.25, sizeNoise: Double = 0.3, widerSpreadProbability: Double = 0.2) {
        self.levels = levels
        self.spreadBasisPoints = spreadBasisPoints
        self.levelSpacingBasisPoints = levelSpacingBasisPoints
        self.depthGrowth = depthGrowth
        self.sizeNoise = sizeNoise
        self.widerSpreadProbability = widerSpreadProbability
    }

    /// Checks that the parameters make sense.
    /// - Throws: `MarketError.invalidConfiguration` naming the first bad parameter.
    public func validate() throws {
        guard (1...200).contains(levels) else { throw MarketError.invalidConfiguration("book levels must be 1 to 200, not \(levels)") }
        for (name, value) in [("spread", spreadBasisPoints), ("level spacing", levelSpacingBasisPoints),
                              ("depth growth", depthGrowth), ("size noise", sizeNoise)] {
            guard value.isFinite, value >= 0, value <= 10_000 else {
                throw MarketError.invalidConfiguration("book \(name) must be a finite number from 0 to 10000, not \(value)")
            }
        }
        guard (0...1).contains(widerSpreadProbability) else {
            throw MarketError.invalidConfiguration("wider spread probability must be within 0 and 1")
        }
    }

    /// Returns a book centred on `price`.
    /// - Parameters:
    ///   - price: The fair price; the mid of the result lies within one spread of it.
    ///   - instrument: Gives the price grid and size step.
    ///   - topLevelNotional: The USD value of the first level on each side, before noise.
    ///   - random: The seeded source of the noise.
    /// - Returns: A book of `levels` levels a side; the bid side is shorter only when the grid
    ///   has no more positive prices below.
    public func book(around price: FixedDecimal, instrument: Instrument, topLevelNotional: Double,
                     random: inout SeededRandom) -> OrderBook {
        var center = instrument.roundPrice(price)
        if !center.isPositive { center = instrument.priceStep(at: FixedDecimal(raw: 1)) }
        let centerValue = center.doubleValue
        let step = instrument.priceStep(at: center)
        let stepValue = step.doubleValue

        var spreadSteps = max(1, Int((centerValue * spreadBasisPoints / 10_000 / stepValue).rounded()))
        if random.nextUnit() < widerSpreadProbability { spreadSteps += 1 }
        let spacingSteps = max(1, Int((centerValue * levelSpacingBasisPoints / 10_000 / stepValue).rounded()))

        // Best bid below the centre by half the spread (rounded down), best ask above by the rest.
        let bestBid = instrument.roundPrice(center - step * (spreadSteps / 2), .down)
        var bestAsk = instrument.roundPrice(center + step * (spreadSteps - spreadSteps / 2), .up)
        if bestAsk <= bestBid { bestAsk = instrument.validPrice(above: bestBid) }

        var bids: [BookLevel] = []
        var asks: [BookLevel] = []
        bids.reserveCapacity(levels)
        asks.reserveCapacity(levels)
        var bidPrice: FixedDecimal? = bestBid.isPositive ? bestBid : nil
        var askPrice = bestAsk
        for depth in 0..<levels {
            if let current = bidPrice {
                bids.append(BookLevel(price: current, size: levelSize(depth: depth, price: current, instrument: instrument,
                                                                      topLevelNotional: topLevelNotional, random: &random)))
                bidPrice = Self.price(current, movedBy: -spacingSteps, instrument: instrument)
            }
            asks.append(BookLevel(price: askPrice, size: levelSize(depth: depth, price: askPrice, instrument: instrument,
                                                                   topLevelNotional: topLevelNotional, random: &random)))
            askPrice = Self.price(askPrice, movedBy: spacingSteps, instrument: instrument) ?? instrument.validPrice(above: askPrice)
        }
        return OrderBook(bids: bids, asks: asks)
    }

    /// Moves a grid price by whole steps, staying on the grid and strictly monotonic; nil when
    /// moving down leaves the positive prices.
    static func price(_ start: FixedDecimal, movedBy steps: Int, instrument: Instrument) -> FixedDecimal? {
        let step = instrument.priceStep(at: start)
        let target = start + step * steps
        // Within one decade the grid is the multiples of one step, so the target is valid as it
        // is; only a move across a power of ten needs the venue's rounding.
        if target.isPositive, instrument.priceStep(at: target) == step { return target }
        if steps > 0 {
            let candidate = instrument.roundPrice(target, .up)
            return candidate > start ? candidate : instrument.validPrice(above: start)
        }
        if target.isPositive {
            let candidate = instrument.roundPrice(target, .down)
            if candidate.isPositive, candidate < start { return candidate }
        }
        return instrument.validPrice(below: start)
    }

    private func levelSize(depth: Int, price: FixedDecimal, instrument: Instrument, topLevelNotional: Double,
                           random: inout SeededRandom) -> FixedDecimal {
        // Uniform noise with mean 1 and standard deviation `sizeNoise` (capped so sizes stay
        // positive): books are built for every quote, and a normal draw with `exp` costs four
        // transcendental calls per level.
        let halfWidth = min(sizeNoise * 3.0.squareRoot(), 0.9)
        let noise = 1 + halfWidth * (2 * random.nextUnit() - 1)
        let notional = topLevelNotional * (1 + depthGrowth * Double(depth)) * noise
        let sizeStep = FixedDecimal(1, exponent: instrument.sizeDecimals)
        let coins = notional / price.doubleValue
        guard let size = FixedDecimal(approximating: coins) else { return sizeStep }
        return FixedDecimal.max(instrument.roundSize(size), sizeStep)
    }
}
