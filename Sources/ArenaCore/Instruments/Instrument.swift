/// A perpetual contract as the venue describes it: how finely it is sized and how much leverage
/// it allows. Hyperliquid's price rules follow from the size decimals.
public struct Instrument: Sendable, Hashable, Codable {
    public let symbol: Symbol
    /// Decimals allowed in an order's size (BTC 5, ETH 4, SOL 2).
    public let sizeDecimals: Int
    /// The highest leverage the venue allows.
    public let maxLeverage: Int

    public init(symbol: Symbol, sizeDecimals: Int, maxLeverage: Int) {
        precondition((0...6).contains(sizeDecimals) && maxLeverage >= 1)
        self.symbol = symbol
        self.sizeDecimals = sizeDecimals
        self.maxLeverage = maxLeverage
    }

    /// The venue's minimum order value in USD.
    public static let minimumOrderValue = FixedDecimal(10)
    /// Prices carry at most this many significant figures (integer prices are always allowed).
    public static let maximumSignificantFigures = 5

    /// Decimals allowed in a price: six minus the size decimals.
    public var priceDecimals: Int { 6 - sizeDecimals }

    /// Rounds a size down to the instrument's size decimals, as the venue truncates.
    public func roundSize(_ size: FixedDecimal) -> FixedDecimal {
        size.rounded(decimals: sizeDecimals, .towardZero)
    }

    /// Whether `size` is already a multiple of the size step.
    public func isValidSize(_ size: FixedDecimal) -> Bool { size.isPositive && roundSize(size) == size }

    /// Whether the venue accepts `price`: positive, at most five significant figures unless it is
    /// an integer, and at most `priceDecimals` decimals.
    public func isValidPrice(_ price: FixedDecimal) -> Bool {
        guard price.isPositive else { return false }
        if price.fractionalDigits == 0 { return true }
        return price.significantFigures <= Self.maximumSignificantFigures && price.fractionalDigits <= priceDecimals
    }

    /// Rounds a price to what the venue accepts: five significant figures, then the decimal limit.
    /// `rule` says which way (buyers' limit prices round up, sellers' down, to stay marketable).
    public func roundPrice(_ price: FixedDecimal, _ rule: FixedDecimal.RoundingRule = .halfAwayFromZero) -> FixedDecimal {
        guard price.isPositive else { return price }
        let wholeDigits = String(price.raw / FixedDecimal.unit).count
        if price.raw / FixedDecimal.unit >= 10_000 {
            // Five or more integer digits: integers are always allowed.
            return price.rounded(decimals: 0, rule)
        }
        let leadingZeros = price.raw >= FixedDecimal.unit ? 0 : Self.leadingFractionalZeros(price)
        let sigDecimals = price.raw >= FixedDecimal.unit
            ? Self.maximumSignificantFigures - wholeDigits
            : Self.maximumSignificantFigures + leadingZeros
        let decimals = max(0, min(priceDecimals, sigDecimals, FixedDecimal.scale))
        return price.rounded(decimals: decimals, rule)
    }

    static func leadingFractionalZeros(_ price: FixedDecimal) -> Int {
        var zeros = 0
        var threshold = FixedDecimal.unit / 10
        while threshold > 0, price.raw < threshold { zeros += 1; threshold /= 10 }
        return zeros
    }

    /// Built-in metadata used when the venue cannot be asked.
    public static let defaults: [Symbol: Instrument] = {
        var table: [Symbol: Instrument] = [:]
        for (name, decimals, leverage) in [("BTC", 5, 40), ("ETH", 4, 25), ("SOL", 2, 20)] {
            if let symbol = Symbol(name) { table[symbol] = Instrument(symbol: symbol, sizeDecimals: decimals, maxLeverage: leverage) }
        }
        return table
    }()

    /// The built-in instrument for `symbol`, or a conservative default (2 size decimals, 10x)
    /// for coins the arena has no metadata for, such as those of a replayed CSV.
    public static func defaultInstrument(for symbol: Symbol) -> Instrument {
        defaults[symbol] ?? Instrument(symbol: symbol, sizeDecimals: 2, maxLeverage: 10)
    }
}
