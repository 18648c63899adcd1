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

    /// The books by coin, in the order first quoted.
    private var books: [(symbol: Symbol, state: BookState)] = []
    /// Where each coin's book is in `books`, read once there are more than `scannedBooks`.
    private var bookIndex: [Symbol: Int] = [:]

    /// Up to this many books, a coin's is found by comparing names in turn: the mark of every
    /// position is read on every step, and comparing a few short names costs less than hashing one.
    static let scannedBooks = 8

    /// Creates an engine that has seen no market yet.
    public init() {}

    private func index(of symbol: Symbol) -> Int? {
        books.count <= Self.scannedBooks ? books.firstIndex { $0.symbol == symbol } : bookIndex[symbol]
    }

    /// Takes in a snapshot: each quoted coin's book replaces the previous one with all its depth
    /// available again; coins the snapshot leaves out keep their last quote.
    public mutating func load(_ snapshot: MarketSnapshot) {
        for (symbol, quote) in snapshot.quotes {
            if let index = index(of: symbol) {
                books[index].state = BookState(quote: quote)
            } else {
                bookIndex[symbol] = books.count
                books.append((symbol, BookState(quote: quote)))
            }
        }
    }

    /// Returns the latest quote of `symbol`, if any snapshot carried one.
    public func quote(for symbol: Symbol) -> Quote? { index(of: symbol).map { books[$0].state.quote } }

    /// Returns the latest mid and mark of `symbol`, if any snapshot carried a quote: what the
    /// checks of every order read, without copying the book.
    func prices(for symbol: Symbol) -> MarketPrices? {
        guard let index = index(of: symbol) else { return nil }
        let quote = books[index].state.quote
        return MarketPrices(mid: quote.mid, mark: quote.mark)
    }

    /// Returns the best price of the side a taker of `side` would take that is still unused.
    public func bestOpposite(for symbol: Symbol, taker side: Side) -> FixedDecimal? {
        guard let index = index(of: symbol) else { return nil }
        let state = books[index].state
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
        guard size.isPositive, let index = index(of: symbol) else { return .zero }
        return books[index].state.take(side: side, size: size, limit: limit, strictly: strictly, into: &executions)
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
