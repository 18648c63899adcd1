public import ArenaCore

/// How one account's paper exchange behaves: fees, latency, instruments and the optional realism
/// profile. Defaults are Hyperliquid's base tier and no added noise.
public struct PaperExchangeConfiguration: Sendable, Hashable {
    /// Fee rate of fills that take liquidity (0.045% on the base tier).
    public var takerFee: FixedDecimal
    /// Fee rate of fills that add liquidity (0.015% on the base tier).
    public var makerFee: FixedDecimal
    /// Delay in milliseconds between a submission and its matching, measured on the snapshot clock.
    public var latency: Int64
    /// Venue metadata per coin; coins missing here use `Instrument.defaultInstrument(for:)`.
    public var instruments: [Symbol: Instrument]
    /// Leverage of a coin until `setLeverage` changes it, capped at the coin's maximum.
    public var defaultLeverage: Int
    /// Slippage bound of a market order that a trigger fires, applied to the trigger price (the
    /// venue uses 10% for its stop-market and take-profit-market orders).
    public var triggerMarketSlippage: FixedDecimal
    /// The farthest a limit price may be from the mark, as a fraction (the venue refuses beyond 80%).
    public var maximumPriceDeviation: FixedDecimal
    /// Random noise modelled on a simpler paper engine (rejections, partial fills, size-based
    /// slippage, extra latency); nil, the default, for none.
    public var realism: RealismProfile?

    /// Creates a configuration; every parameter has the venue's base-tier default.
    public init(takerFee: FixedDecimal = FixedDecimal(45, exponent: 5),
                makerFee: FixedDecimal = FixedDecimal(15, exponent: 5),
                latency: Int64 = 0,
                instruments: [Symbol: Instrument] = Instrument.defaults,
                defaultLeverage: Int = 20,
                triggerMarketSlippage: FixedDecimal = FixedDecimal(10, exponent: 2),
                maximumPriceDeviation: FixedDecimal = FixedDecimal(80, exponent: 2),
                realism: RealismProfile? = nil) {
        precondition(latency >= 0, "negative latency")
        precondition(defaultLeverage >= 1, "leverage below one")
        self.takerFee = takerFee
        self.makerFee = makerFee
        self.latency = latency
        self.instruments = instruments
        self.defaultLeverage = defaultLeverage
        self.triggerMarketSlippage = triggerMarketSlippage
        self.maximumPriceDeviation = maximumPriceDeviation
        self.realism = realism
    }

    /// Returns the instrument of `symbol`: the configured one, else the built-in default.
    public func instrument(for symbol: Symbol) -> Instrument {
        // Most configurations set none, and a lookup hashes the name even in an empty dictionary.
        if !instruments.isEmpty, let configured = instruments[symbol] { return configured }
        return Instrument.defaultInstrument(for: symbol)
    }
}

/// Optional noise from the seed profile of an earlier paper engine: random rejections, partial
/// fills of large orders, size-based slippage and random latency. Every draw comes from the
/// exchange's seeded random source, so runs stay reproducible.
///
/// Slippage applies to every taker fill: a fill against a book is first priced by walking the
/// book, then moved against the taker by `slippage(forNotional:)` of the order's notional (never
/// beyond the order's limit); a coin without a book fills at the mid moved the same way.
public struct RealismProfile: Sendable, Hashable {
    /// Probability that an order is refused at random (0.02 is 2%).
    public var rejectionProbability: FixedDecimal
    /// The reasons drawn for random rejections, in the venue's manner.
    public var rejectionReasons: [String]
    /// Orders at or above this notional (USD) may fill only in part.
    public var partialFillThreshold: FixedDecimal
    /// Probability that such a large order fills only in part.
    public var partialFillProbability: FixedDecimal
    /// The filled fraction of a partly filled order is drawn uniformly from this range.
    public var partialFillFractions: ClosedRange<FixedDecimal>
    /// Orders above this notional (USD) are refused for lack of liquidity; nil for no limit.
    public var maximumOrderValue: FixedDecimal?
    /// Slippage of a taker fill, as a fraction of its price: from the first value at zero notional,
    /// growing linearly to the second at `slippageFullNotional` and beyond.
    public var slippage: ClosedRange<FixedDecimal>
    /// The notional (USD) at which slippage reaches its maximum.
    public var slippageFullNotional: FixedDecimal
    /// Extra latency in milliseconds, drawn uniformly per order; nil for none.
    public var latencyRange: ClosedRange<Int64>?

    /// Creates a profile; the defaults are the seed's numbers (2% rejections, 10% partial fills of
    /// orders over $10,000 filling 50-90%, 0.01-0.1% slippage, no orders over $100,000, 50-200 ms).
    public init(rejectionProbability: FixedDecimal = FixedDecimal(2, exponent: 2),
                rejectionReasons: [String] = RealismProfile.defaultRejectionReasons,
                partialFillThreshold: FixedDecimal = FixedDecimal(10_000),
                partialFillProbability: FixedDecimal = FixedDecimal(10, exponent: 2),
                partialFillFractions: ClosedRange<FixedDecimal> = FixedDecimal(5, exponent: 1)...FixedDecimal(9, exponent: 1),
                maximumOrderValue: FixedDecimal? = FixedDecimal(100_000),
                slippage: ClosedRange<FixedDecimal> = FixedDecimal(1, exponent: 4)...FixedDecimal(1, exponent: 3),
                slippageFullNotional: FixedDecimal = FixedDecimal(100_000),
                latencyRange: ClosedRange<Int64>? = 50...200) {
        precondition(!rejectionReasons.isEmpty, "no rejection reasons")
        precondition(slippageFullNotional.isPositive, "non-positive full notional")
        self.rejectionProbability = rejectionProbability
        self.rejectionReasons = rejectionReasons
        self.partialFillThreshold = partialFillThreshold
        self.partialFillProbability = partialFillProbability
        self.partialFillFractions = partialFillFractions
        self.maximumOrderValue = maximumOrderValue
        self.slippage = slippage
        self.slippageFullNotional = slippageFullNotional
        self.latencyRange = latencyRange
    }

    /// The slippage, as a fraction of the price, of a taker order of `notional` USD.
    public func slippage(forNotional notional: FixedDecimal) -> FixedDecimal {
        let share = FixedDecimal.min(.one, FixedDecimal.max(.zero, notional) / slippageFullNotional)
        return slippage.lowerBound + (slippage.upperBound - slippage.lowerBound) * share
    }

    /// Reasons a busy venue gives for refusing an order now and accepting it a moment later.
    public static let defaultRejectionReasons = [
        "Too many cumulative requests sent",
        "Order could not be placed: matching engine busy, try again",
        "Order rejected: price moved before the order reached the book",
    ]
}
