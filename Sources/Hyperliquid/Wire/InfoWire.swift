/// Raw shapes of the `/info` endpoint's answers, named and typed as the venue sends them: decimals
/// are strings, times are milliseconds, ids are integers. Nothing here is trusted yet; the
/// conversions in `Wire+Domain.swift` validate every field they use.

/// The perpetuals universe (`{"type": "meta"}`).
public struct PerpMeta: Sendable, Hashable, Codable {
    /// Every perpetual, in asset-index order: an asset's index is its position here.
    public var universe: [PerpAssetInfo]

    /// Creates a universe.
    public init(universe: [PerpAssetInfo]) { self.universe = universe }
}

/// One perpetual of the universe.
public struct PerpAssetInfo: Sendable, Hashable, Codable {
    /// The coin's name, such as `BTC` or `kPEPE`.
    public var name: String
    /// Decimals allowed in an order's size.
    public var szDecimals: Int
    /// The highest leverage allowed.
    public var maxLeverage: Int
    /// Set when only isolated margin is allowed.
    public var onlyIsolated: Bool?
    /// Set when the coin no longer trades.
    public var isDelisted: Bool?

    /// Creates an asset.
    public init(name: String, szDecimals: Int, maxLeverage: Int, onlyIsolated: Bool? = nil, isDelisted: Bool? = nil) {
        self.name = name
        self.szDecimals = szDecimals
        self.maxLeverage = maxLeverage
        self.onlyIsolated = onlyIsolated
        self.isDelisted = isDelisted
    }
}

/// One perpetual's live context, the second half of `metaAndAssetCtxs`, in universe order.
public struct PerpAssetContext: Sendable, Hashable, Codable {
    /// The hourly funding rate.
    public var funding: String
    /// Open interest in coins.
    public var openInterest: String
    /// The price 24 hours ago.
    public var prevDayPx: String?
    /// Notional volume over 24 hours, in USD.
    public var dayNtlVlm: String?
    /// The premium of the mark over the oracle.
    public var premium: String?
    /// The oracle price.
    public var oraclePx: String
    /// The mark price.
    public var markPx: String
    /// The book's mid, null when one side is empty.
    public var midPx: String?
    /// Prices at which a notional of impact size would fill on each side.
    public var impactPxs: [String]?
    /// Volume over 24 hours, in coins.
    public var dayBaseVlm: String?

    /// Creates a context.
    public init(funding: String, openInterest: String, prevDayPx: String? = nil, dayNtlVlm: String? = nil, premium: String? = nil,
                oraclePx: String, markPx: String, midPx: String?, impactPxs: [String]? = nil, dayBaseVlm: String? = nil) {
        self.funding = funding
        self.openInterest = openInterest
        self.prevDayPx = prevDayPx
        self.dayNtlVlm = dayNtlVlm
        self.premium = premium
        self.oraclePx = oraclePx
        self.markPx = markPx
        self.midPx = midPx
        self.impactPxs = impactPxs
        self.dayBaseVlm = dayBaseVlm
    }
}

/// `metaAndAssetCtxs`: a two-element JSON array, the universe and then its contexts.
public struct PerpMetaAndAssetContexts: Sendable, Hashable, Codable {
    /// The universe.
    public var meta: PerpMeta
    /// One context per universe entry, in the same order.
    public var assetContexts: [PerpAssetContext]

    /// Creates the pair.
    public init(meta: PerpMeta, assetContexts: [PerpAssetContext]) {
        self.meta = meta
        self.assetContexts = assetContexts
    }

    /// Decodes the venue's `[meta, [contexts]]` array.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        meta = try container.decode(PerpMeta.self)
        assetContexts = try container.decode([PerpAssetContext].self)
    }

    /// Encodes as the venue's `[meta, [contexts]]` array.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(meta)
        try container.encode(assetContexts)
    }
}

/// One level of an `l2Book`: price, size and the number of orders.
public struct L2Level: Sendable, Hashable, Codable {
    /// The level's price.
    public var px: String
    /// The total size resting at the price.
    public var sz: String
    /// The number of orders at the price.
    public var n: Int

    /// Creates a level.
    public init(px: String, sz: String, n: Int) {
        self.px = px
        self.sz = sz
        self.n = n
    }
}

/// An `l2Book` snapshot, from `/info` or the `l2Book` WebSocket channel.
public struct L2BookSnapshot: Sendable, Hashable, Codable {
    /// The coin.
    public var coin: String
    /// The venue's time of the snapshot.
    public var time: Int64
    /// Two arrays: bids (best first) and asks (best first).
    public var levels: [[L2Level]]

    /// Creates a snapshot.
    public init(coin: String, time: Int64, levels: [[L2Level]]) {
        self.coin = coin
        self.time = time
        self.levels = levels
    }
}

/// One candle of `candleSnapshot` or the `candle` channel.
public struct CandleWire: Sendable, Hashable, Codable {
    /// Open time.
    public var t: Int64
    /// Close time.
    public var T: Int64
    /// The coin.
    public var s: String
    /// The interval, such as `1m`.
    public var i: String
    /// Open price.
    public var o: String
    /// Close price.
    public var c: String
    /// High price.
    public var h: String
    /// Low price.
    public var l: String
    /// Volume in coins.
    public var v: String
    /// Number of trades.
    public var n: Int

    /// Creates a candle.
    public init(t: Int64, T: Int64, s: String, i: String, o: String, c: String, h: String, l: String, v: String, n: Int) {
        self.t = t
        self.T = T
        self.s = s
        self.i = i
        self.o = o
        self.c = c
        self.h = h
        self.l = l
        self.v = v
        self.n = n
    }
}

/// One trade of the `trades` channel.
public struct TradeWire: Sendable, Hashable, Codable {
    /// The coin.
    public var coin: String
    /// The aggressor's side: `B` (bid, a buy) or `A` (ask, a sell).
    public var side: String
    /// The trade's price.
    public var px: String
    /// The trade's size.
    public var sz: String
    /// The trade's time.
    public var time: Int64
    /// The trade id.
    public var tid: Int64?
    /// The transaction hash.
    public var hash: String?

    /// Creates a trade.
    public init(coin: String, side: String, px: String, sz: String, time: Int64, tid: Int64? = nil, hash: String? = nil) {
        self.coin = coin
        self.side = side
        self.px = px
        self.sz = sz
        self.time = time
        self.tid = tid
        self.hash = hash
    }
}

/// `marginSummary` and `crossMarginSummary` of `clearinghouseState`.
public struct MarginSummaryWire: Sendable, Hashable, Codable {
    /// Balance plus unrealised PnL: the account's equity.
    public var accountValue: String
    /// Total notional of the positions.
    public var totalNtlPos: String
    /// The balance net of the positions' notional.
    public var totalRawUsd: String
    /// Margin held by the positions.
    public var totalMarginUsed: String

    /// Creates a summary.
    public init(accountValue: String, totalNtlPos: String, totalRawUsd: String, totalMarginUsed: String) {
        self.accountValue = accountValue
        self.totalNtlPos = totalNtlPos
        self.totalRawUsd = totalRawUsd
        self.totalMarginUsed = totalMarginUsed
    }
}

/// A position's leverage: `{"type": "cross"|"isolated", "value": 20, "rawUsd"?}`.
public struct LeverageWire: Sendable, Hashable, Codable {
    /// `cross` or `isolated`.
    public var type: String
    /// The leverage.
    public var value: Int
    /// For isolated positions, the margin's raw USD.
    public var rawUsd: String?

    /// Creates a leverage.
    public init(type: String, value: Int, rawUsd: String? = nil) {
        self.type = type
        self.value = value
        self.rawUsd = rawUsd
    }
}

/// One position of `clearinghouseState`.
public struct PositionWire: Sendable, Hashable, Codable {
    /// The coin.
    public var coin: String
    /// Signed size: positive long, negative short.
    public var szi: String
    /// Average entry price; null when flat.
    public var entryPx: String?
    /// Notional at the mark.
    public var positionValue: String
    /// Unrealised PnL at the mark.
    public var unrealizedPnl: String
    /// Return on equity.
    public var returnOnEquity: String?
    /// The estimated liquidation price; null when none.
    public var liquidationPx: String?
    /// Margin held.
    public var marginUsed: String
    /// The coin's maximum leverage.
    public var maxLeverage: Int?
    /// The leverage in force.
    public var leverage: LeverageWire

    /// Creates a position.
    public init(coin: String, szi: String, entryPx: String?, positionValue: String, unrealizedPnl: String, returnOnEquity: String? = nil,
                liquidationPx: String? = nil, marginUsed: String, maxLeverage: Int? = nil, leverage: LeverageWire) {
        self.coin = coin
        self.szi = szi
        self.entryPx = entryPx
        self.positionValue = positionValue
        self.unrealizedPnl = unrealizedPnl
        self.returnOnEquity = returnOnEquity
        self.liquidationPx = liquidationPx
        self.marginUsed = marginUsed
        self.maxLeverage = maxLeverage
        self.leverage = leverage
    }
}

/// `{"type": "oneWay", "position": {...}}`.
public struct AssetPositionWire: Sendable, Hashable, Codable {
    /// The position mode, `oneWay`.
    public var type: String
    /// The position.
    public var position: PositionWire

    /// Creates an entry.
    public init(type: String = "oneWay", position: PositionWire) {
        self.type = type
        self.position = position
    }
}

/// A perpetuals account (`{"type": "clearinghouseState", "user": ...}`).
public struct ClearinghouseState: Sendable, Hashable, Codable {
    /// Cross and isolated together.
    public var marginSummary: MarginSummaryWire
    /// Cross margin only.
    public var crossMarginSummary: MarginSummaryWire?
    /// Maintenance margin of the cross positions.
    public var crossMaintenanceMarginUsed: String?
    /// What could be withdrawn now.
    public var withdrawable: String?
    /// Open positions.
    public var assetPositions: [AssetPositionWire]
    /// The venue's time of the state.
    public var time: Int64

    /// Creates a state.
    public init(marginSummary: MarginSummaryWire, crossMarginSummary: MarginSummaryWire? = nil, crossMaintenanceMarginUsed: String? = nil,
                withdrawable: String? = nil, assetPositions: [AssetPositionWire], time: Int64) {
        self.marginSummary = marginSummary
        self.crossMarginSummary = crossMarginSummary
        self.crossMaintenanceMarginUsed = crossMaintenanceMarginUsed
        self.withdrawable = withdrawable
        self.assetPositions = assetPositions
        self.time = time
    }
}

/// One open order of `openOrders`.
public struct OpenOrderWire: Sendable, Hashable, Codable {
    /// The coin.
    public var coin: String
    /// The limit price.
    public var limitPx: String
    /// The venue's order id.
    public var oid: Int64
    /// `B` to buy, `A` to sell.
    public var side: String
    /// The size still open.
    public var sz: String
    /// When the order was placed.
    public var timestamp: Int64
    /// The size first ordered.
    public var origSz: String?
    /// Our client order id, when the order had one.
    public var cloid: String?

    /// Creates an open order.
    public init(coin: String, limitPx: String, oid: Int64, side: String, sz: String, timestamp: Int64, origSz: String? = nil, cloid: String? = nil) {
        self.coin = coin
        self.limitPx = limitPx
        self.oid = oid
        self.side = side
        self.sz = sz
        self.timestamp = timestamp
        self.origSz = origSz
        self.cloid = cloid
    }
}

/// An order with all its terms, as `frontendOpenOrders` and `orderStatus` report it.
public struct FrontendOrderWire: Sendable, Hashable, Codable {
    /// The coin.
    public var coin: String
    /// `B` to buy, `A` to sell.
    public var side: String
    /// The limit price.
    public var limitPx: String
    /// The size still open.
    public var sz: String
    /// The venue's order id.
    public var oid: Int64
    /// When the order was placed.
    public var timestamp: Int64
    /// The size first ordered.
    public var origSz: String
    /// Set for take-profit and stop-loss orders.
    public var isTrigger: Bool?
    /// The trigger price; "0.0" for plain orders.
    public var triggerPx: String?
    /// A human-readable trigger condition, "N/A" for plain orders.
    public var triggerCondition: String?
    /// `Limit`, `Market`, `Stop Market`, `Stop Limit`, `Take Profit Market`, `Take Profit Limit`.
    public var orderType: String?
    /// Set when the order may only reduce a position.
    public var reduceOnly: Bool?
    /// `Gtc`, `Ioc`, `Alo`, `FrontendMarket`, or null for triggers.
    public var tif: String?
    /// Our client order id, when the order had one.
    public var cloid: String?
    /// Set for take-profit and stop-loss orders tied to the position.
    public var isPositionTpsl: Bool?

    /// Creates an order.
    public init(coin: String, side: String, limitPx: String, sz: String, oid: Int64, timestamp: Int64, origSz: String, isTrigger: Bool? = nil,
                triggerPx: String? = nil, triggerCondition: String? = nil, orderType: String? = nil, reduceOnly: Bool? = nil,
                tif: String? = nil, cloid: String? = nil, isPositionTpsl: Bool? = nil) {
        self.coin = coin
        self.side = side
        self.limitPx = limitPx
        self.sz = sz
        self.oid = oid
        self.timestamp = timestamp
        self.origSz = origSz
        self.isTrigger = isTrigger
        self.triggerPx = triggerPx
        self.triggerCondition = triggerCondition
        self.orderType = orderType
        self.reduceOnly = reduceOnly
        self.tif = tif
        self.cloid = cloid
        self.isPositionTpsl = isPositionTpsl
    }
}

/// The answer to `orderStatus`: `{"status": "order", "order": {...}}` or
/// `{"status": "unknownOid"}`.
public struct OrderStatusResponseWire: Sendable, Hashable, Codable {
    /// The order and where it is in its life.
    public struct Entry: Sendable, Hashable, Codable {
        /// The order's terms.
        public var order: FrontendOrderWire
        /// `open`, `filled`, `canceled`, `triggered`, `rejected`, `marginCanceled`, or one of the
        /// venue's more specific `…Canceled` / `…Rejected` statuses.
        public var status: String
        /// When the status last changed.
        public var statusTimestamp: Int64

        /// Creates an entry.
        public init(order: FrontendOrderWire, status: String, statusTimestamp: Int64) {
            self.order = order
            self.status = status
            self.statusTimestamp = statusTimestamp
        }
    }

    /// `order` when the venue knows the order, `unknownOid` when not.
    public var status: String
    /// The order, when known.
    public var order: Entry?

    /// Creates a response.
    public init(status: String, order: Entry? = nil) {
        self.status = status
        self.order = order
    }
}

/// One fill of `userFills`.
public struct UserFillWire: Sendable, Hashable, Codable {
    /// The coin.
    public var coin: String
    /// The fill's price.
    public var px: String
    /// The fill's size.
    public var sz: String
    /// `B` bought, `A` sold.
    public var side: String
    /// When the fill happened.
    public var time: Int64
    /// The signed position size before the fill.
    public var startPosition: String?
    /// `Open Long`, `Close Short`, ...
    public var dir: String?
    /// PnL the fill realised, before fees.
    public var closedPnl: String
    /// The transaction hash.
    public var hash: String?
    /// The venue's order id.
    public var oid: Int64
    /// True when the fill took liquidity.
    public var crossed: Bool
    /// The fee paid (negative: a rebate).
    public var fee: String
    /// The trade id, unique per fill.
    public var tid: Int64
    /// The fee's token, `USDC`.
    public var feeToken: String?
    /// Our client order id, when the order had one.
    public var cloid: String?
    /// Set when the fill was a liquidation.
    public var liquidation: LiquidationWire?

    /// The liquidation details of a fill.
    public struct LiquidationWire: Sendable, Hashable, Codable {
        /// The liquidated user, when it was us.
        public var liquidatedUser: String?
        /// The mark price at liquidation.
        public var markPx: String?
        /// `market` or `backstop`.
        public var method: String?
    }

    /// Creates a fill.
    public init(coin: String, px: String, sz: String, side: String, time: Int64, startPosition: String? = nil, dir: String? = nil,
                closedPnl: String, hash: String? = nil, oid: Int64, crossed: Bool, fee: String, tid: Int64, feeToken: String? = "USDC",
                cloid: String? = nil, liquidation: LiquidationWire? = nil) {
        self.coin = coin
        self.px = px
        self.sz = sz
        self.side = side
        self.time = time
        self.startPosition = startPosition
        self.dir = dir
        self.closedPnl = closedPnl
        self.hash = hash
        self.oid = oid
        self.crossed = crossed
        self.fee = fee
        self.tid = tid
        self.feeToken = feeToken
        self.cloid = cloid
        self.liquidation = liquidation
    }
}

/// One funding payment of `userFunding`.
public struct UserFundingWire: Sendable, Hashable, Codable {
    /// The payment.
    public struct Delta: Sendable, Hashable, Codable {
        /// `funding`.
        public var type: String
        /// The coin.
        public var coin: String
        /// USDC received (negative: paid).
        public var usdc: String
        /// The signed position size the payment was on.
        public var szi: String
        /// The hourly rate applied.
        public var fundingRate: String

        /// Creates a delta.
        public init(type: String = "funding", coin: String, usdc: String, szi: String, fundingRate: String) {
            self.type = type
            self.coin = coin
            self.usdc = usdc
            self.szi = szi
            self.fundingRate = fundingRate
        }
    }

    /// When it was paid.
    public var time: Int64
    /// The transaction hash.
    public var hash: String?
    /// The payment.
    public var delta: Delta

    /// Creates a payment.
    public init(time: Int64, hash: String? = nil, delta: Delta) {
        self.time = time
        self.hash = hash
        self.delta = delta
    }
}

/// The answer to `userRole`: `{"role":"agent","data":{"user":"0x..."}}` for an approved agent wallet.
public struct UserRoleWire: Sendable, Hashable, Codable {
    public struct Data: Sendable, Hashable, Codable {
        /// The master account an agent trades for.
        public var user: String?
    }
    /// `user`, `agent`, `vault`, `subAccount` or `missing`.
    public var role: String
    public var data: Data?
}
