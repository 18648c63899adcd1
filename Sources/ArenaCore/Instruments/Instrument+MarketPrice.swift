/// The limit price of a market order, computed exactly as the venue's Python SDK does, so that the
/// paper exchange and the live executor bound a market order's slippage at the same price.
extension Instrument {
    /// Returns the limit price the venue's SDK sends for a market order: `reference` moved by
    /// `slippage` against the taker (up for a buy, down for a sell), rounded to five significant
    /// figures and then to `priceDecimals` decimals.
    ///
    /// The SDK rounds a binary float (`round(float(f"{px:.5g}"), 6 - szDecimals)`); this rounds
    /// the exact decimal and, only on an exact tie, lets the binary value the SDK would hold
    /// decide the direction, so both agree digit for digit (150.5 sold with 5% gives 142.97).
    /// - Parameters:
    ///   - reference: the price the slippage applies to, usually the mid; must be positive.
    ///   - side: the side of the market order.
    ///   - slippage: the bound as a fraction (0.05 for 5%), from 0 to below 1.
    public func marketOrderPrice(reference: FixedDecimal, side: Side, slippage: FixedDecimal) -> FixedDecimal {
        guard reference.isPositive else { return reference }
        let factor = side == .buy ? FixedDecimal.one + slippage : FixedDecimal.one - slippage
        let exact = reference * factor
        guard exact.isPositive else { return exact }
        let binaryFactor = side == .buy ? 1.0 + Self.binary(slippage) : 1.0 - Self.binary(slippage)
        let binaryProduct = Self.binary(reference) * binaryFactor
        let significant = Self.roundLikeBinary(exact, binary: binaryProduct,
                                               step: Self.significantFigureStep(exact, figures: Self.maximumSignificantFigures))
        let decimalStep = Self.powersOfTen[FixedDecimal.scale - min(priceDecimals, FixedDecimal.scale)]
        return Self.roundLikeBinary(significant, binary: Self.binary(significant), step: decimalStep)
    }

    /// The nearest binary float to a decimal, as Python's `float("…")` gives.
    static func binary(_ value: FixedDecimal) -> Double { Double(value.raw) / Double(FixedDecimal.unit) }

    /// Powers of ten that fit in an Int64, for digit counts without division loops.
    static let powersOfTen: [Int64] = (0...18).map { exponent in
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The raw step that keeps `figures` significant figures of a positive value (at least 1 raw unit).
    static func significantFigureStep(_ value: FixedDecimal, figures: Int) -> Int64 {
        var digits = 1
        while digits < powersOfTen.count, value.raw >= powersOfTen[digits] { digits += 1 }
        return powersOfTen[max(0, digits - figures)]
    }

    /// Rounds a positive `exact` value to a multiple of `step` raw units, to the nearest; on an exact
    /// tie, the way a correctly rounded conversion of `binary` would go (half to even if `binary`
    /// is the tie itself).
    static func roundLikeBinary(_ exact: FixedDecimal, binary: Double, step: Int64) -> FixedDecimal {
        let remainder = exact.raw % step
        let down = exact.raw - remainder
        if remainder == 0 { return exact }
        if remainder * 2 < step { return FixedDecimal(raw: down) }
        if remainder * 2 > step { return FixedDecimal(raw: down + step) }
        switch compare(binary, toRaw: exact.raw) {
        case .lessThan: return FixedDecimal(raw: down)
        case .greaterThan: return FixedDecimal(raw: down + step)
        case .equal: return FixedDecimal(raw: (down / step) % 2 == 0 ? down : down + step)
        }
    }

    enum Ordering { case lessThan, equal, greaterThan }

    /// Compares a positive finite double exactly with `raw / 10^8`.
    static func compare(_ value: Double, toRaw raw: Int64) -> Ordering {
        guard value.isFinite, value > 0 else { return value > 0 ? .greaterThan : .lessThan }
        let significand = UInt128(value.significandBitPattern | (value.isNormal ? (1 << 52) : 0))
        let exponent = Int(value.exponent) - 52
        let scaled = significand * UInt128(FixedDecimal.unit)  // below 2^80
        let target = UInt128(raw)
        if exponent >= 0 {
            if exponent > 40 { return .greaterThan }
            let left = scaled << exponent
            return left < target ? .lessThan : (left > target ? .greaterThan : .equal)
        }
        // scaled / 2^shift against target, exactly: integer part first, then the bits shifted out.
        let shift = -exponent
        if shift >= 128 { return target > 0 ? .lessThan : .equal }
        let quotient = scaled >> shift
        if quotient != target { return quotient < target ? .lessThan : .greaterThan }
        let lostBits = scaled & ((UInt128(1) << shift) - 1)
        return lostBits == 0 ? .equal : .greaterThan
    }
}
