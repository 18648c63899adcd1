public import ArenaCore

/// The rules of a forced close: when it happens and how its orders are named.
public enum LiquidationEngine {
    /// Why orders are cancelled when the account is liquidated.
    public static let cancellationReason = "Canceled due to liquidation"

    /// Returns the id of the liquidation order that closes the `index`-th position (by symbol) at
    /// `time`: the high eight bytes all ones mark an order the venue placed, the low eight the
    /// time in milliseconds times 64 plus the index, so ids stay unique across restarts.
    public static func orderID(time: Timestamp, index: Int) -> ClientOrderID {
        let sequence = UInt64(truncatingIfNeeded: time.milliseconds) &* 64 &+ UInt64(index % 64)
        return ClientOrderID(account: AccountID(-1), sequence: sequence)
    }

    /// Returns the total maintenance margin of `positions`, valued at `mark(symbol)`.
    public static func maintenanceMargin(of positions: [Symbol: Position], configuration: PaperExchangeConfiguration,
                                         mark: (Position) -> FixedDecimal) -> FixedDecimal {
        var total = FixedDecimal.zero
        for position in positions.values where !position.isFlat {
            total += MarginRules.maintenanceMargin(notional: position.notional(at: mark(position)),
                                                   maxLeverage: configuration.instrument(for: position.symbol).maxLeverage)
        }
        return total
    }
}
