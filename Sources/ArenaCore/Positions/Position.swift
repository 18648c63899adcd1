/// A position in one perpetual: signed size (positive long, negative short) and average entry.
public struct Position: Sendable, Hashable {
    public var symbol: Symbol
    /// Coins held; negative for a short.
    public var size: FixedDecimal
    /// Average entry price of the open size; zero when flat.
    public var entryPrice: FixedDecimal
    /// Leverage the position's margin is computed with.
    public var leverage: Int

    public init(symbol: Symbol, size: FixedDecimal = .zero, entryPrice: FixedDecimal = .zero, leverage: Int = 1) {
        self.symbol = symbol
        self.size = size
        self.entryPrice = entryPrice
        self.leverage = leverage
    }

    public var isFlat: Bool { size.isZero }
    public var side: Side? { size.isPositive ? .buy : (size.isNegative ? .sell : nil) }

    /// PnL of the open size at `mark`.
    public func unrealizedPnl(at mark: FixedDecimal) -> FixedDecimal { (mark - entryPrice) * size }

    /// Absolute notional value at `mark`.
    public func notional(at mark: FixedDecimal) -> FixedDecimal { (mark * size).magnitude }

    /// Initial margin at `mark`: notional divided by leverage.
    public func initialMargin(at mark: FixedDecimal) -> FixedDecimal { notional(at: mark) / FixedDecimal(leverage) }

    /// Applies a fill and returns the PnL it realised (before fees).
    ///
    /// Adding to the position moves the average entry; reducing realises PnL on the reduced part at
    /// the entry price; crossing through zero realises on the whole old size and opens the
    /// remainder at the fill price.
    @discardableResult
    public mutating func apply(side: Side, size fillSize: FixedDecimal, price: FixedDecimal) -> FixedDecimal {
        let signed = side == .buy ? fillSize : -fillSize
        if size.isZero || size.signum == signed.signum {
            let newSize = size + signed
            entryPrice = (entryPrice * size.magnitude + price * fillSize) / newSize.magnitude
            size = newSize
            return .zero
        }
        let closing = FixedDecimal.min(fillSize, size.magnitude)
        let direction = FixedDecimal(size.signum)
        let realized = (price - entryPrice) * closing * direction
        let newSize = size + signed
        if newSize.isZero {
            entryPrice = .zero
        } else if newSize.signum != size.signum {
            entryPrice = price
        }
        size = newSize
        return realized
    }
}
