public import ArenaCore

/// The venue's fee schedule for one account: a rate per liquidity side applied to fill notional.
public struct FeeModel: Sendable, Hashable {
    /// Rate charged on taker fills.
    public var takerRate: FixedDecimal
    /// Rate charged on maker fills (negative would be a rebate).
    public var makerRate: FixedDecimal

    /// Creates a schedule from two rates.
    public init(takerRate: FixedDecimal, makerRate: FixedDecimal) {
        self.takerRate = takerRate
        self.makerRate = makerRate
    }

    /// Returns the fee in USD of a fill of `size` at `price`.
    @inlinable public func fee(price: FixedDecimal, size: FixedDecimal, liquidity: Liquidity) -> FixedDecimal {
        (price * size) * (liquidity == .taker ? takerRate : makerRate)
    }
}
