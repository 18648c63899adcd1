/// Which way an order trades.
public enum Side: String, Sendable, Hashable, Codable {
    case buy, sell
    public var opposite: Side { self == .buy ? .sell : .buy }
    /// +1 for a buy, -1 for a sell.
    public var sign: Int { self == .buy ? 1 : -1 }
}

/// How long a limit order lives, as the venue names it.
public enum TimeInForce: String, Sendable, Hashable, Codable {
    /// Good till cancelled: rests on the book.
    case gtc = "Gtc"
    /// Immediate or cancel: what does not fill at once is cancelled.
    case ioc = "Ioc"
    /// Add liquidity only (post only): refused if it would cross.
    case alo = "Alo"
}

/// Whether a trigger order takes profit or stops a loss.
public enum TriggerKind: String, Sendable, Hashable, Codable {
    case takeProfit = "tp"
    case stopLoss = "sl"
}

/// What kind of order, with its prices.
public enum OrderType: Sendable, Hashable {
    /// An IOC limit at the mid plus or minus `slippageBound` (a fraction: 0.05 is 5%), as the
    /// venue's own SDK sends market orders.
    case market(slippageBound: FixedDecimal)
    case limit(price: FixedDecimal, timeInForce: TimeInForce)
    /// Fires when the mark crosses `triggerPrice`; then a market order, or a limit at `limitPrice`.
    case trigger(triggerPrice: FixedDecimal, kind: TriggerKind, limitPrice: FixedDecimal?)

    /// The default slippage bound of market orders: 5%.
    public static let defaultSlippageBound = FixedDecimal(5, exponent: 2)

    /// A short name for records: `market`, `limit` or `trigger`.
    public var name: String {
        switch self {
        case .market: "market"
        case .limit: "limit"
        case .trigger: "trigger"
        }
    }
}

/// Who asked for an order.
public enum OrderOrigin: String, Sendable, Hashable, Codable {
    /// The account's driver (a model or a rule-based strategy).
    case driver
    /// An operator through the admin API.
    case `operator`
    /// The venue (or the paper exchange) liquidating the account.
    case liquidation
    /// The arena itself, for example closing positions on a kill switch.
    case system
}

/// An order as a driver or operator asks for it, before any venue has seen it.
public struct OrderRequest: Sendable, Hashable {
    public var clientOrderID: ClientOrderID
    public var symbol: Symbol
    public var side: Side
    /// Size in coins.
    public var size: FixedDecimal
    public var type: OrderType
    public var reduceOnly: Bool
    public var origin: OrderOrigin
    /// The exits an entry asks for, placed as one group when (and sized to what) it fills.
    public var exits: [ExitLeg]
    /// The exit group a take-profit or stop belongs to (named by its entry's id, or by its first
    /// exit's for exits on a position): when one fills, the others are cancelled.
    public var group: ClientOrderID?
    /// Set on a trailing stop: how far it follows the best mark, and that mark.
    public var trailing: TrailingStop?

    public init(clientOrderID: ClientOrderID, symbol: Symbol, side: Side, size: FixedDecimal,
                type: OrderType, reduceOnly: Bool = false, origin: OrderOrigin = .driver,
                exits: [ExitLeg] = [], group: ClientOrderID? = nil, trailing: TrailingStop? = nil) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.size = size
        self.type = type
        self.reduceOnly = reduceOnly
        self.origin = origin
        self.exits = exits
        self.group = group
        self.trailing = trailing
    }

    /// The trigger's kind, for a trigger order.
    public var triggerKind: TriggerKind? {
        if case let .trigger(_, kind, _) = type { return kind }
        return nil
    }
}

/// Where an order is in its life.
public enum OrderStatus: String, Sendable, Hashable, Codable {
    /// Accepted, not yet matched (for example while simulated latency runs).
    case pending
    /// Resting on the book.
    case open
    /// A trigger order waiting for its price.
    case waitingTrigger = "waiting_trigger"
    case filled
    /// Filled in part, the rest cancelled (an Ioc or market order that found too little, a
    /// resting order cancelled after some fills); `filledSize` says how much.
    case partiallyFilled = "partially_filled"
    /// Cancelled before any fill.
    case canceled
    case rejected

    /// Whether the order can change no more.
    public var isFinal: Bool {
        switch self {
        case .filled, .partiallyFilled, .canceled, .rejected: true
        case .pending, .open, .waitingTrigger: false
        }
    }
}

/// An order as a venue holds it: the request, its fills so far and its status.
public struct Order: Sendable, Hashable {
    public var request: OrderRequest
    public var status: OrderStatus
    public var filledSize: FixedDecimal
    /// Average price of the fills so far; nil before the first.
    public var averageFillPrice: FixedDecimal?
    /// Fees paid on the fills so far, in USD.
    public var fee: FixedDecimal
    /// The mid when the order was submitted, against which slippage is measured.
    public var midAtSubmission: FixedDecimal?
    /// Why the venue (or the risk gate) refused or cancelled it, in the venue's words.
    public var rejectionReason: String?
    /// The venue's own id, once it has one.
    public var venueOrderID: Int64?
    public var submittedAt: Timestamp
    public var updatedAt: Timestamp

    public init(request: OrderRequest, status: OrderStatus, submittedAt: Timestamp, midAtSubmission: FixedDecimal?) {
        self.request = request
        self.status = status
        self.filledSize = .zero
        self.averageFillPrice = nil
        self.fee = .zero
        self.midAtSubmission = midAtSubmission
        self.rejectionReason = nil
        self.venueOrderID = nil
        self.submittedAt = submittedAt
        self.updatedAt = submittedAt
    }

    public var remainingSize: FixedDecimal { request.size - filledSize }

    /// Ends the order without further fills: `partiallyFilled` when some of it filled, else
    /// `canceled`; `reason` says why the rest was cancelled.
    public mutating func cancelRemainder(reason: String?, at time: Timestamp) {
        status = filledSize.isPositive ? .partiallyFilled : .canceled
        if let reason { rejectionReason = reason }
        updatedAt = time
    }

    /// Slippage of the average fill against the mid at submission, in basis points; positive
    /// when the fill was worse for the trader (bought above or sold below the mid).
    public var slippageBasisPoints: FixedDecimal? {
        guard let average = averageFillPrice, let mid = midAtSubmission, mid.isPositive else { return nil }
        let adverse = request.side == .buy ? average - mid : mid - average
        return adverse * FixedDecimal(10_000) / mid
    }

    /// Records a fill: size, volume-weighted average price and fee.
    public mutating func record(_ fill: Fill) {
        let previousNotional = (averageFillPrice ?? .zero) * filledSize
        filledSize += fill.size
        averageFillPrice = (previousNotional + fill.price * fill.size) / filledSize
        fee += fill.fee
        updatedAt = fill.time
    }
}

/// Whether a fill added liquidity (maker) or took it (taker).
public enum Liquidity: String, Sendable, Hashable, Codable {
    case maker, taker
}

/// One execution of (part of) an order.
public struct Fill: Sendable, Hashable {
    public var clientOrderID: ClientOrderID
    public var symbol: Symbol
    public var side: Side
    public var price: FixedDecimal
    public var size: FixedDecimal
    /// Fee paid in USD (negative would be a rebate).
    public var fee: FixedDecimal
    public var liquidity: Liquidity
    /// PnL this fill realised by reducing a position, before fees.
    public var realizedPnl: FixedDecimal
    public var time: Timestamp
    /// Set when the fill was a liquidation.
    public var isLiquidation: Bool

    public init(clientOrderID: ClientOrderID, symbol: Symbol, side: Side, price: FixedDecimal, size: FixedDecimal,
                fee: FixedDecimal, liquidity: Liquidity, realizedPnl: FixedDecimal = .zero, time: Timestamp,
                isLiquidation: Bool = false) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.size = size
        self.fee = fee
        self.liquidity = liquidity
        self.realizedPnl = realizedPnl
        self.time = time
        self.isLiquidation = isLiquidation
    }

    public var notional: FixedDecimal { price * size }
}
