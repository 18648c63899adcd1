import ArenaCore
import Testing
@testable import PaperExchange

@Suite("Matching market and limit orders against the book")
struct MatchingTests {
    @Test("a market buy walks the asks level by level and pays the taker fee on each fill")
    func marketBuyWalksTheBook() throws {
        var exchange = Fixtures.exchange()
        _ = exchange.apply(Fixtures.btcSnapshot())
        let events = exchange.submit(Fixtures.market(1, .buy, "0.25"), at: Fixtures.time(1))

        let fills = events.fills
        #expect(fills.map(\.price) == [100_001, 100_002, 100_003])
        #expect(fills.map(\.size) == [Fixtures.decimal("0.1"), Fixtures.decimal("0.1"), Fixtures.decimal("0.05")])
        #expect(fills.allSatisfy { $0.liquidity == .taker && !$0.isLiquidation })
        for fill in fills { #expect(fill.fee == fill.price * fill.size * Fixtures.decimal("0.00045")) }

        let order = try #require(events.orders.last)
        #expect(events.orders.count == 1)
        #expect(order.status == .filled)
        #expect(order.filledSize == Fixtures.decimal("0.25"))
        let average = try #require(order.averageFillPrice)
        #expect(average == Fixtures.decimal("100001.8"))
        #expect(order.midAtSubmission == 100_000)
        #expect(order.slippageBasisPoints == Fixtures.decimal("0.18"))
        #expect(order.fee == fills.reduce(.zero) { $0 + $1.fee })

        let totalFee = fills.reduce(FixedDecimal.zero) { $0 + $1.fee }
        #expect(exchange.cash == 10_000 - totalFee)
        #expect(exchange.position(Fixtures.btc)?.size == Fixtures.decimal("0.25"))
        #expect(exchange.position(Fixtures.btc)?.entryPrice == average)
    }

    @Test("the order's update comes before the fills it records")
    func orderUpdatePrecedesFills() {
        var exchange = Fixtures.exchange()
        _ = exchange.apply(Fixtures.btcSnapshot())
        let events = exchange.submit(Fixtures.market(1, .sell, "0.15"), at: Fixtures.time(1))
        guard case .orderUpdated = events.first else {
            Issue.record("first event is not the order update: \(events)")
            return
        }
        #expect(events.dropFirst().allSatisfy { if case .filled = $0 { true } else { false } })
    }

    @Test("a market order fills no further than its 5% slippage bound and cancels the rest")
    func marketOrderStopsAtSlippageBound() throws {
        var exchange = Fixtures.exchange(cash: 1_000_000)
        let book = OrderBook(bids: [BookLevel(price: 99_999, size: 1)],
                             asks: [BookLevel(price: 100_001, size: Fixtures.decimal("0.1")),
                                    BookLevel(price: 104_000, size: Fixtures.decimal("0.1")),
                                    BookLevel(price: 106_000, size: 5)])
        let quote = Quote(symbol: Fixtures.btc, mid: 100_000, mark: 100_000, book: book)
        _ = exchange.apply(MarketSnapshot(time: Fixtures.time(0), quotes: [Fixtures.btc: quote]))
        let events = exchange.submit(Fixtures.market(1, .buy, "1"), at: Fixtures.time(1))
        #expect(events.fills.map(\.price) == [100_001, 104_000])
        let order = try #require(events.orders.last)
        #expect(order.status == .partiallyFilled)
        #expect(order.filledSize == Fixtures.decimal("0.2"))
        #expect(order.rejectionReason == nil)
    }

    @Test("two orders in one snapshot cannot take the same liquidity; a new snapshot restores it")
    func consumedDepthResetsPerSnapshot() {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        let first = exchange.submit(Fixtures.market(1, .buy, "0.1"), at: Fixtures.time(1))
        let second = exchange.submit(Fixtures.market(2, .buy, "0.1"), at: Fixtures.time(1))
        #expect(first.fills.map(\.price) == [100_001])
        #expect(second.fills.map(\.price) == [100_002])
        _ = exchange.apply(Fixtures.btcSnapshot(at: 2))
        let third = exchange.submit(Fixtures.market(3, .buy, "0.1"), at: Fixtures.time(2))
        #expect(third.fills.map(\.price) == [100_001])
    }

    @Test("an Ioc limit takes what its price allows and cancels the remainder")
    func iocLimitPartialFill() throws {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        let events = exchange.submit(Fixtures.limit(1, .buy, "0.5", at: "100002", .ioc), at: Fixtures.time(1))
        #expect(events.fills.map(\.price) == [100_001, 100_002])
        let order = try #require(events.orders.last)
        #expect(order.status == .partiallyFilled)
        #expect(order.filledSize == Fixtures.decimal("0.2"))
        #expect(exchange.openOrders.isEmpty)
    }

    @Test("an Ioc limit that cannot match is rejected with the venue's reason")
    func iocWithoutMatchIsRejected() throws {
        var exchange = Fixtures.exchange()
        _ = exchange.apply(Fixtures.btcSnapshot())
        let events = exchange.submit(Fixtures.limit(1, .buy, "0.01", at: "99000", .ioc), at: Fixtures.time(1))
        let order = try #require(events.orders.last)
        #expect(order.status == .rejected)
        #expect(order.rejectionReason == "Order could not immediately match against any resting orders")
        #expect(events.fills.isEmpty)
        #expect(exchange.cash == 10_000)
    }

    @Test("a Gtc limit that crosses takes liquidity up to its price and rests the remainder")
    func gtcCrossingRestsRemainder() throws {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        let events = exchange.submit(Fixtures.limit(1, .buy, "0.3", at: "100001"), at: Fixtures.time(1))
        #expect(events.fills.map(\.price) == [100_001])
        let order = try #require(events.orders.last)
        #expect(order.status == .open)
        #expect(order.filledSize == Fixtures.decimal("0.1"))
        #expect(exchange.openOrders.map(\.request.clientOrderID) == [Fixtures.id(1)])
        #expect(exchange.openOrders.first?.remainingSize == Fixtures.decimal("0.2"))
    }

    @Test("a resting limit fills at its own price with the maker fee when the market trades through it")
    func restingLimitFillsAsMaker() throws {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        let placed = exchange.submit(Fixtures.limit(1, .buy, "0.15", at: "99990"), at: Fixtures.time(1))
        #expect(placed.orders.last?.status == .open)
        #expect(placed.fills.isEmpty)

        // Asks at 99,990 only touch the order: no fill.
        let touching = exchange.apply(Fixtures.btcSnapshot(at: 2, mid: 99_989))
        #expect(touching.fills.isEmpty)

        // Asks at 99,985 and 99,986 are through it: 0.1 + 0.05 fill at 99,990 as maker.
        let through = exchange.apply(Fixtures.btcSnapshot(at: 3, mid: 99_984))
        let fill = try #require(through.fills.first)
        #expect(through.fills.count == 1)
        #expect(fill.price == 99_990)
        #expect(fill.size == Fixtures.decimal("0.15"))
        #expect(fill.liquidity == .maker)
        #expect(fill.fee == Fixtures.decimal("99990") * Fixtures.decimal("0.15") * Fixtures.decimal("0.00015"))
        #expect(through.orders.last?.status == .filled)
        #expect(exchange.openOrders.isEmpty)
    }

    @Test("the account is valued at the latest mark: equity is cash plus unrealised PnL")
    func accountStateAtMark() {
        var exchange = Fixtures.exchange()
        _ = exchange.apply(Fixtures.btcSnapshot())
        _ = exchange.submit(Fixtures.market(1, .buy, "0.1"), at: Fixtures.time(1))
        _ = exchange.apply(Fixtures.btcSnapshot(at: 2, mid: 101_000))
        let state = exchange.accountState()
        let position = exchange.position(Fixtures.btc)
        #expect(state.unrealizedPnl == (101_000 - 100_001) * Fixtures.decimal("0.1"))
        #expect(state.equity == state.cash + state.unrealizedPnl)
        #expect(state.marginUsed == Fixtures.decimal("10100") / 20)
        #expect(state.time == Fixtures.time(2))
        #expect(position?.leverage == 20)
    }
}

@Suite("The matching engine's books by coin")
struct MatchingEngineBooksTests {
    /// A snapshot quoting each of `count` coins (C0, C1, ...) at a mid of 100 plus its number
    /// plus `shift`, except the coins `except` leaves out.
    static func snapshot(coins count: Int, shift: Int = 0, except left: Set<Int> = []) -> MarketSnapshot {
        var quotes: [Symbol: Quote] = [:]
        for number in 0..<count where !left.contains(number) {
            let symbol = Symbol("C\(number)").unsafelyUnwrappedForTests
            let mid = FixedDecimal(100 + number + shift)
            quotes[symbol] = Quote(symbol: symbol, mid: mid, mark: mid, book: Fixtures.book(mid: mid, step: 1, size: 1))
        }
        return MarketSnapshot(time: Fixtures.time(0), quotes: quotes)
    }

    @Test("each coin keeps its own book, found by name among a few coins and through the index among many",
          arguments: [1, MatchingEngine.scannedBooks, MatchingEngine.scannedBooks + 1, 40])
    func booksByCoin(coins: Int) {
        var engine = MatchingEngine()
        engine.load(Self.snapshot(coins: coins))
        // A later snapshot that leaves out the first coin replaces every other book.
        engine.load(Self.snapshot(coins: coins, shift: 1_000, except: [0]))
        for number in 0..<coins {
            let mid = engine.quote(for: Symbol("C\(number)").unsafelyUnwrappedForTests)?.mid
            #expect(mid == FixedDecimal(100 + number + (number == 0 ? 0 : 1_000)), "coin \(number)")
            #expect(engine.prices(for: Symbol("C\(number)").unsafelyUnwrappedForTests)?.mark == mid)
        }
        #expect(engine.quote(for: Fixtures.btc) == nil)
        // Taking from one coin's book uses up that book only.
        var executions: [Execution] = []
        let last = Symbol("C\(coins - 1)").unsafelyUnwrappedForTests
        #expect(engine.take(last, taker: .buy, size: 1, limit: nil, into: &executions) == 1)
        #expect(engine.bestOpposite(for: last, taker: .buy) == FixedDecimal(100 + coins - 1 + (coins == 1 ? 0 : 1_000)) + 2)
        if coins > 1 {
            let other = Symbol("C1").unsafelyUnwrappedForTests
            #expect(engine.bestOpposite(for: other, taker: .buy) == FixedDecimal(1_101) + 1)
        }
    }
}
