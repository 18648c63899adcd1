public import ArenaCore

/// One execution against the book: a price and the size taken there.
public struct Execution: Sendable, Hashable {
    /// The price of the level taken.
    public var price: FixedDecimal
    /// The size taken there.
    public var size: FixedDecimal
    /// Creates an execution.
    public init(price: FixedDecimal, size: FixedDecimal) { self.price = price; self.size = size }
}

/// The mid and mark of a coin's latest quote.
struct MarketPrices: Sendable {
    var mid: FixedDecimal
    var mark: FixedDecimal
}

/// The latest quote of every coin and how much of each book side the account has already used
/// in the current snapshot, so that two orders in one step cannot both take the same liquidity.
///
/// Taking always starts from the best level, so the used depth of a side is a prefix of its
/// levels: a level index and the size used inside that level. A new snapshot resets it.
public struct MatchingEngine: Sendable {
    struct DepthCursor: Sendable {
        var level = 0
        var used = FixedDecimal.zero
    }

    struct BookState: Sendable {
        var quote: Quote
        var asks = DepthCursor()
        var bids = DepthCursor()
    }

    private var books: [Symbol: BookState] = [:]

    /// Creates an engine that has seen no market yet.
    public init() {}

    /// Takes in a snapshot: each quoted coin's book replaces the previous one with all its depth
    /// available again; coins the snapshot leaves out keep their last quote.
    public mutating func load(_ snapshot: MarketSnapshot) {
        for (symbol, quote) in snapshot.quotes { books[symbol] = BookState(quote: quote) }
    }

    /// Returns the latest quote of `symbol`, if any snapshot carried one.
    public func quote(for symbol: Symbol) -> Quote? { books[symbol]?.quote }

    /// Returns the latest mid and mark of `symbol`, if any snapshot carried a quote: what the
    /// checks of every order read, without copying the book.
    func prices(for symbol: Symbol) -> MarketPrices? {
        guard let index = books.index(forKey: symbol) else { return nil }
        let quote = books.values[index].quote
        return MarketPrices(mid: quote.mid, mark: quote.mark)
    }

    /// Returns the best price of the side a taker of `side` would take that is still unused.
    public func bestOpposite(for symbol: Symbol, taker side: Side) -> FixedDecimal? {
        guard let state = books[symbol] else { return nil }
        let levels = state.quote.book.levels(against: side)
        let cursor = side == .buy ? state.asks : state.bids
        return cursor.level < levels.count ? levels[cursor.level].price : nil
    }

    /// Takes up to `size` from the side a taker of `side` consumes, level by level from the best,
    /// stopping at levels worse than `limit` (nil: no limit) or, when `strictly` is set, at levels
    /// not strictly better than `limit`. Appends the executions to `executions` and returns the
    /// size taken.
    @discardableResult
    public mutating func take(_ symbol: Symbol, taker side: Side, size: FixedDecimal, limit: FixedDecimal?,
                              strictly: Bool = false, into executions: inout [Execution]) -> FixedDecimal {
        // Through the index, the book state is updated in place; `books[symbol]?.take` would move
        // it out and back (and allocate the accessor's frame) on every order.
        guard size.isPositive, let index = books.index(forKey: symbol) else { return .zero }
        return books.values[index].take(side: side, size: size, limit: limit, strictly: strictly, into: &executions)
    }
}

extension MatchingEngine.BookState {
    mutating func take(side: Side, size: FixedDecimal, limit: FixedDecimal?, strictly: Bool,
                       into executions: inout [Execution]) -> FixedDecimal {
        if side == .buy {
            return Self.walk(quote.book.asks, cursor: &asks, buying: true, size: size, limit: limit, strictly: strictly, into: &executions)
        }
        return Self.walk(quote.book.bids, cursor: &bids, buying: false, size: size, limit: limit, strictly: strictly, into: &executions)
    }

    static func walk(_ levels: [BookLevel], cursor: inout MatchingEngine.DepthCursor, buying: Bool, size: FixedDecimal,
                     limit: FixedDecimal?, strictly: Bool, into executions: inout [Execution]) -> FixedDecimal {
        var remaining = size
        while remaining.isPositive, cursor.level < levels.count {
            let level = levels[cursor.level]
            if let limit {
                let acceptable: Bool
                if buying {
                    acceptable = strictly ? level.price < limit : level.price <= limit
                } else {
                    acceptable = strictly ? level.price > limit : level.price >= limit
                }
                if !acceptable { break }
            }
            let available = level.size - cursor.used
            if !available.isPositive {
                cursor.level += 1
                cursor.used = .zero
                continue
            }
            let taken = FixedDecimal.min(remaining, available)
            executions.append(Execution(price: level.price, size: taken))
            remaining -= taken
            cursor.used += taken
            if cursor.used >= level.size {
                cursor.level += 1
                cursor.used = .zero
            }
        }
        return size - remaining
    }
}
