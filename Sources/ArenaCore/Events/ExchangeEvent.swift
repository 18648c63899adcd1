/// A funding payment on one position: positive `amount` was received, negative was paid.
public struct FundingPayment: Sendable, Hashable {
    public var symbol: Symbol
    public var rate: FixedDecimal
    public var positionSize: FixedDecimal
    public var price: FixedDecimal
    public var amount: FixedDecimal
    public var time: Timestamp

    public init(symbol: Symbol, rate: FixedDecimal, positionSize: FixedDecimal, price: FixedDecimal, amount: FixedDecimal, time: Timestamp) {
        self.symbol = symbol
        self.rate = rate
        self.positionSize = positionSize
        self.price = price
        self.amount = amount
        self.time = time
    }
}

/// A forced close of the account's positions because its value fell below maintenance margin.
public struct Liquidation: Sendable, Hashable {
    public var accountValue: FixedDecimal
    public var maintenanceMargin: FixedDecimal
    public var time: Timestamp

    public init(accountValue: FixedDecimal, maintenanceMargin: FixedDecimal, time: Timestamp) {
        self.accountValue = accountValue
        self.maintenanceMargin = maintenanceMargin
        self.time = time
    }
}

/// What an executor (the paper exchange or live Hyperliquid) reports back. Both speak only these,
/// so the ledger, the feed and the drivers cannot tell them apart.
public enum ExchangeEvent: Sendable, Hashable {
    /// An order's state after a change (accepted, resting, filled, cancelled or rejected).
    case orderUpdated(Order)
    case filled(Fill)
    case fundingPaid(FundingPayment)
    case liquidated(Liquidation)
}

/// An account's money and positions at a moment, valued at marks.
public struct AccountState: Sendable, Hashable {
    /// USDC balance: deposits plus realised PnL, minus fees, plus funding.
    public var cash: FixedDecimal
    public var positions: [Symbol: Position]
    /// Cash plus unrealised PnL at the marks used.
    public var equity: FixedDecimal
    public var unrealizedPnl: FixedDecimal
    /// Initial margin held by open positions.
    public var marginUsed: FixedDecimal
    public var time: Timestamp

    public init(cash: FixedDecimal, positions: [Symbol: Position], equity: FixedDecimal,
                unrealizedPnl: FixedDecimal, marginUsed: FixedDecimal, time: Timestamp) {
        self.cash = cash
        self.positions = positions
        self.equity = equity
        self.unrealizedPnl = unrealizedPnl
        self.marginUsed = marginUsed
        self.time = time
    }

    /// Equity not held as margin: what new orders can use.
    public var availableMargin: FixedDecimal { equity - marginUsed }
}
