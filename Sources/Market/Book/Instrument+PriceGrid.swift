import ArenaCore

extension Instrument {
    /// Returns the distance between `price` and its neighbours on the venue's price grid:
    /// 1 for prices of five or more integer digits, otherwise the finer of five significant
    /// figures and `priceDecimals` decimals, as `roundPrice` applies them.
    /// - Parameter price: A positive price.
    public func priceStep(at price: FixedDecimal) -> FixedDecimal {
        let whole = price.raw / FixedDecimal.unit
        if whole >= 10_000 || !price.isPositive { return .one }
        var significantDecimals: Int
        if whole >= 1 {
            var wholeDigits = 0
            var remaining = whole
            while remaining > 0 { wholeDigits += 1; remaining /= 10 }
            significantDecimals = Self.maximumSignificantFigures - wholeDigits
        } else {
            var leadingZeros = 0
            var threshold = FixedDecimal.unit / 10
            while threshold > 0, price.raw < threshold { leadingZeros += 1; threshold /= 10 }
            significantDecimals = Self.maximumSignificantFigures + leadingZeros
        }
        let decimals = max(0, min(priceDecimals, significantDecimals, FixedDecimal.scale))
        var step: Int64 = FixedDecimal.unit
        for _ in 0..<decimals { step /= 10 }
        return FixedDecimal(raw: step)
    }

    /// Returns the next valid price strictly below `price` (which should be on the grid), or nil
    /// when no positive valid price lies below it.
    public func validPrice(below price: FixedDecimal) -> FixedDecimal? {
        let candidate = roundPrice(price - priceStep(at: price), .down)
        guard candidate.isPositive, candidate < price else { return nil }
        return candidate
    }

    /// Returns the next valid price strictly above `price` (which should be on the grid).
    public func validPrice(above price: FixedDecimal) -> FixedDecimal {
        let candidate = roundPrice(price + priceStep(at: price), .up)
        return candidate > price ? candidate : price + .one
    }
}
