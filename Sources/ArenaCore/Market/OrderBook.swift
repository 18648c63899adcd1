/// One price level of an order book.
public struct BookLevel: Sendable, Hashable, Codable {
    public var price: FixedDecimal
    public var size: FixedDecimal
    public init(price: FixedDecimal, size: FixedDecimal) { self.price = price; self.size = size }
}

/// A level-2 book: bids best (highest) first, asks best (lowest) first.
public struct OrderBook: Sendable, Hashable, Codable {
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public init(bids: [BookLevel], asks: [BookLevel]) { self.bids = bids; self.asks = asks }

    public var bestBid: FixedDecimal? { bids.first?.price }
    public var bestAsk: FixedDecimal? { asks.first?.price }

    /// The midpoint of the best bid and ask, if both sides have a level.
    public var mid: FixedDecimal? {
        guard let bid = bestBid, let ask = bestAsk else { return nil }
        return FixedDecimal(raw: (bid.raw + ask.raw) / 2)
    }

    /// The side a taker of `side` consumes: asks for a buy, bids for a sell.
    public func levels(against side: Side) -> [BookLevel] { side == .buy ? asks : bids }
}

/// What the market looks like for one symbol at one moment.
public struct Quote: Sendable, Hashable, Codable {
    public var symbol: Symbol
    public var mid: FixedDecimal
    /// The mark price used for unrealised PnL and margin (the venue's oracle-based mark; the
    /// simulation uses the mid).
    public var mark: FixedDecimal
    public var book: OrderBook
    /// The hourly funding rate now in force (positive: longs pay shorts).
    public var fundingRate: FixedDecimal
    /// Open interest in coins, where the source has it.
    public var openInterest: FixedDecimal?
    /// Traded volume in coins since the previous update, where the source has it.
    public var volume: FixedDecimal

    public init(symbol: Symbol, mid: FixedDecimal, mark: FixedDecimal, book: OrderBook,
                fundingRate: FixedDecimal = .zero, openInterest: FixedDecimal? = nil, volume: FixedDecimal = .zero) {
        self.symbol = symbol
        self.mid = mid
        self.mark = mark
        self.book = book
        self.fundingRate = fundingRate
        self.openInterest = openInterest
        self.volume = volume
    }
}

/// The whole market at one moment: every symbol's quote, sorted by symbol.
public struct MarketSnapshot: Sendable, Hashable {
    public var time: Timestamp
    public var quotes: [Symbol: Quote]

    public init(time: Timestamp, quotes: [Symbol: Quote]) { self.time = time; self.quotes = quotes }

    public var symbols: [Symbol] { quotes.keys.sorted() }
    public subscript(symbol: Symbol) -> Quote? { quotes[symbol] }
}
