import ArenaCore

/// Order books, quotes and market snapshots built to order, for tests and benchmarks.
public enum TestMarkets {
    /// A book of `levels` levels a side, `size` coins each: level `i` (from 0) at
    /// mid ∓ (`offset` + `step` × i); the offset is one step unless given.
    public static func book(mid: FixedDecimal, step: FixedDecimal = 1, size: FixedDecimal, levels: Int = 5,
                            offset: FixedDecimal? = nil) -> OrderBook {
        let first = offset ?? step
        let depth = 0..<max(0, levels)
        return OrderBook(bids: depth.map { BookLevel(price: mid - first - step * $0, size: size) },
                         asks: depth.map { BookLevel(price: mid + first + step * $0, size: size) })
    }

    /// A quote whose mark is its mid.
    public static func quote(_ symbol: Symbol, mid: FixedDecimal, book: OrderBook, fundingRate: FixedDecimal = .zero,
                             openInterest: FixedDecimal? = nil, volume: FixedDecimal = .zero) -> Quote {
        Quote(symbol: symbol, mid: mid, mark: mid, book: book, fundingRate: fundingRate, openInterest: openInterest, volume: volume)
    }

    /// A snapshot at `milliseconds` holding `quotes`, keyed by their symbols.
    public static func snapshot(at milliseconds: Int64, _ quotes: Quote...) -> MarketSnapshot {
        MarketSnapshot(time: Timestamp(milliseconds: milliseconds),
                       quotes: Dictionary(quotes.map { ($0.symbol, $0) }, uniquingKeysWith: { _, last in last }))
    }

    /// A snapshot of one symbol at `mid` (mark = mid) over a book made as `book(mid:step:size:levels:offset:)` makes it.
    public static func snapshot(_ symbol: Symbol, mid: FixedDecimal, at milliseconds: Int64, step: FixedDecimal = 1,
                                size: FixedDecimal, levels: Int = 5, offset: FixedDecimal? = nil) -> MarketSnapshot {
        snapshot(at: milliseconds, quote(symbol, mid: mid, book: book(mid: mid, step: step, size: size, levels: levels, offset: offset)))
    }
}
