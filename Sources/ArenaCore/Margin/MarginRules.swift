/// Hyperliquid's cross-margin rules as pure functions, shared by the paper exchange and the risk
/// gate so that both refuse and liquidate at the same numbers.
public enum MarginRules {
    /// Returns the initial margin a notional needs at `leverage`: notional divided by leverage.
    public static func initialMargin(notional: FixedDecimal, leverage: Int) -> FixedDecimal {
        precondition(leverage >= 1, "leverage below one")
        return notional.magnitude / FixedDecimal(leverage)
    }

    /// Returns the maintenance margin of a notional: half the initial margin at the instrument's
    /// maximum leverage (1.25% of notional for a 40x coin).
    public static func maintenanceMargin(notional: FixedDecimal, maxLeverage: Int) -> FixedDecimal {
        precondition(maxLeverage >= 1, "maximum leverage below one")
        return notional.magnitude / FixedDecimal(2 * maxLeverage)
    }

    /// Returns whether an account with `accountValue` (cash plus unrealised PnL) and the given
    /// total maintenance margin must be liquidated: strictly below maintenance, with margin held.
    public static func isLiquidatable(accountValue: FixedDecimal, maintenanceMargin: FixedDecimal) -> Bool {
        maintenanceMargin.isPositive && accountValue < maintenanceMargin
    }
}
