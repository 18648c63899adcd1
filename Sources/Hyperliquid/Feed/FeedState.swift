import ArenaCore

/// What the feed knows of the market: the newest mid, book, candle and asset context of each
/// coin, and the volume traded since it was last read. A value, updated by pure functions, so the
/// parsing and bookkeeping are tested without sockets.
public struct HyperliquidFeedState: Sendable, Equatable {
    /// Mids by the venue's coin name.
    public var mids: [String: FixedDecimal] = [:]
    /// Books by coin.
    public var books: [String: OrderBook] = [:]
    /// Newest candle by coin.
    public var candles: [String: CandleWire] = [:]
    /// Asset contexts (mark, funding, open interest) by coin, from REST.
    public var contexts: [String: PerpAssetContext] = [:]
    /// Volume in coins traded since `takeVolumes()` was last called.
    public var volumes: [String: FixedDecimal] = [:]
    /// The newest trade id seen per coin, so trades repeated after a resubscription count once.
    public var lastTradeIDs: [String: Int64] = [:]
    /// The venue's time of the newest message.
    public var venueTime: Int64 = 0
    /// Messages that did not parse; counted, never fatal.
    public var malformedMessages = 0

    /// Creates an empty state.
    public init() {}

    /// Applies one message, keeping only the coins in `coins` (all when empty).
    public mutating func apply(_ message: HyperliquidFeedMessage, coins: Set<String> = []) {
        func wanted(_ coin: String) -> Bool { coins.isEmpty || coins.contains(coin) }
        switch message {
        case .allMids(let mids):
            for (coin, text) in mids where wanted(coin) {
                if let mid = FixedDecimal(text), mid.isPositive { self.mids[coin] = mid }
            }
        case .l2Book(let snapshot):
            guard wanted(snapshot.coin) else { return }
            guard let book = try? HyperliquidConversion.orderBook(snapshot) else {
                malformedMessages += 1
                return
            }
            books[snapshot.coin] = book
            venueTime = max(venueTime, snapshot.time)
        case .trades(let trades):
            for trade in trades where wanted(trade.coin) {
                if let id = trade.tid, let last = lastTradeIDs[trade.coin], id <= last { continue }
                guard let size = FixedDecimal(trade.sz), size.isPositive else {
                    malformedMessages += 1
                    continue
                }
                volumes[trade.coin, default: .zero] += size
                if let id = trade.tid { lastTradeIDs[trade.coin] = id }
                venueTime = max(venueTime, trade.time)
            }
        case .candle(let candle):
            guard wanted(candle.s) else { return }
            if let current = candles[candle.s], current.t > candle.t { return }
            candles[candle.s] = candle
        case .pong, .subscriptionResponse, .error, .other:
            break
        }
    }

    /// Replaces the asset contexts with those of a `metaAndAssetCtxs` answer.
    public mutating func apply(_ answer: PerpMetaAndAssetContexts) {
        for (info, context) in zip(answer.meta.universe, answer.assetContexts) {
            contexts[info.name] = context
            if mids[info.name] == nil, let mid = context.midPx.flatMap(FixedDecimal.init), mid.isPositive { mids[info.name] = mid }
        }
    }

    /// Returns the volumes traded since the last call and starts counting afresh.
    public mutating func takeVolumes() -> [String: FixedDecimal] {
        defer { volumes = [:] }
        return volumes
    }
}
