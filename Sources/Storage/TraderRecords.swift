import ArenaCore

/// How a trader came to be tracked.
public enum TraderSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// Seen on the venue's public tape.
    case discovered
    /// Added by an operator (`POST /api/traders/{address}/track`).
    case `operator`
    /// Followed by a copy account.
    case copy
}

/// A tracked trader: a row of `traders`, with the running figures its metrics come from.
public struct TraderRecord: Sendable, Hashable {
    public var id: Int64
    /// `0x` and 40 lowercase hex digits.
    public var address: String
    public var source: TraderSource
    public var active: Bool
    public var deactivatedReason: String?
    public var firstSeen: Timestamp
    public var lastTracked: Timestamp?
    public var accountValue: FixedDecimal?
    /// The account value at the first look, the base of the return.
    public var firstValue: FixedDecimal?
    public var peakValue: FixedDecimal?
    /// Deepest fall from the peak account value, as a fraction.
    public var maxDrawdown: Double?
    public var riskRatioSum: Double
    public var riskRatioCount: Int
    public var totalVolume: FixedDecimal
    public var closingFills: Int
    public var winningFills: Int
    public var maxProfit: FixedDecimal?
    public var maxLoss: FixedDecimal?
    public var earliestFill: Timestamp?
    public var lastFill: Timestamp?
}

/// One open position of a trader: signed size (negative is short).
public struct TraderPositionRecord: Sendable, Hashable {
    public var symbol: Symbol
    public var size: FixedDecimal
    public var entryPrice: FixedDecimal?

    public init(symbol: Symbol, size: FixedDecimal, entryPrice: FixedDecimal?) {
        self.symbol = symbol
        self.size = size
        self.entryPrice = entryPrice
    }
}

/// What a position change was.
public enum TraderEventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case open = "OPEN", close = "CLOSE", increase = "INCREASE", decrease = "DECREASE", flip = "FLIP"
}

/// Where an event was learnt.
public enum TraderEventSource: String, Sendable, Hashable, Codable {
    /// A look at the trader's positions (`clearinghouseState`) found it.
    case poll
    /// The trader's fills (`userFillsByTime`) showed it, filling a gap in the looks.
    case fills
}

/// One change of a trader's position: a row of `trader_events`.
public struct TraderEventRecord: Sendable, Hashable {
    /// The row id; 0 before it is stored.
    public var id: Int64
    public var traderID: Int64
    public var address: String
    public var kind: TraderEventKind
    public var symbol: Symbol
    /// The side after the change; for a close, the side closed.
    public var isLong: Bool
    /// The absolute size after the change.
    public var size: FixedDecimal
    /// The signed size before the change.
    public var previousSize: FixedDecimal
    public var entryPrice: FixedDecimal?
    public var time: Timestamp
    public var source: TraderEventSource

    public init(id: Int64 = 0, traderID: Int64, address: String, kind: TraderEventKind, symbol: Symbol, isLong: Bool, size: FixedDecimal,
                previousSize: FixedDecimal, entryPrice: FixedDecimal?, time: Timestamp, source: TraderEventSource) {
        self.id = id
        self.traderID = traderID
        self.address = address
        self.kind = kind
        self.symbol = symbol
        self.isLong = isLong
        self.size = size
        self.previousSize = previousSize
        self.entryPrice = entryPrice
        self.time = time
        self.source = source
    }
}

/// One fill of a trader, as `userFillsByTime` reported it.
public struct TraderFillRecord: Sendable, Hashable {
    /// The venue's trade id: a fill is stored once.
    public var tradeID: Int64
    public var symbol: Symbol
    public var isBuy: Bool
    public var price: FixedDecimal
    public var size: FixedDecimal
    /// The PnL the fill realised, before fees.
    public var closedPnl: FixedDecimal
    public var fee: FixedDecimal
    public var time: Timestamp

    public init(tradeID: Int64, symbol: Symbol, isBuy: Bool, price: FixedDecimal, size: FixedDecimal, closedPnl: FixedDecimal,
                fee: FixedDecimal, time: Timestamp) {
        self.tradeID = tradeID
        self.symbol = symbol
        self.isBuy = isBuy
        self.price = price
        self.size = size
        self.closedPnl = closedPnl
        self.fee = fee
        self.time = time
    }
}

/// One answered look at a trader: its account and every open position.
public struct TraderObservation: Sendable, Hashable {
    public var traderID: Int64
    public var time: Timestamp
    public var accountValue: FixedDecimal
    public var marginUsed: FixedDecimal
    /// Every open position; a coin absent here is flat.
    public var positions: [TraderPositionRecord]

    public init(traderID: Int64, time: Timestamp, accountValue: FixedDecimal, marginUsed: FixedDecimal, positions: [TraderPositionRecord]) {
        self.traderID = traderID
        self.time = time
        self.accountValue = accountValue
        self.marginUsed = marginUsed
        self.positions = positions
    }
}
