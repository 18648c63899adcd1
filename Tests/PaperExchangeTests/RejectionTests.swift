import ArenaCore
import Testing
@testable import PaperExchange

@Suite("Venue rules refuse orders with the venue's words and change nothing else")
struct RejectionTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let request: OrderRequest
        let reason: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "below $10", request: Fixtures.market(1, .buy, "0.00009"), reason: "Order must have minimum value of $10"),
        Case(name: "more than margin allows", request: Fixtures.market(1, .buy, "0.3"), reason: "Insufficient margin to place order"),
        Case(name: "price off the tick", request: Fixtures.limit(1, .buy, "0.01", at: "99999.5"), reason: "Price must be divisible by tick size"),
        Case(name: "six significant figures", request: Fixtures.limit(1, .buy, "1", at: "12.3456", symbol: Fixtures.sol), reason: "Price must be divisible by tick size"),
        Case(name: "size off the step", request: Fixtures.market(1, .buy, "0.000001"), reason: "Order has invalid size"),
        Case(name: "zero size", request: Fixtures.market(1, .buy, "0"), reason: "Order has invalid size"),
        Case(name: "reduce only without a position", request: Fixtures.market(1, .sell, "0.01", reduceOnly: true), reason: "Reduce only order would increase position"),
        Case(name: "post only that crosses", request: Fixtures.limit(1, .buy, "0.01", at: "100001", .alo), reason: "Post only order would have immediately matched"),
        Case(name: "limit far from the mark", request: Fixtures.limit(1, .buy, "0.01", at: "15000"), reason: "Order price cannot be more than 80% away from the reference price"),
        Case(name: "no market for the coin", request: Fixtures.market(1, .buy, "1", symbol: Fixtures.eth), reason: "No market price available for ETH"),
    ]

    @Test("a refused order comes back rejected with its reason", arguments: cases)
    func rejected(_ testCase: Case) throws {
        var exchange = Fixtures.exchange(cash: 1_000)
        let solQuote = Quote(symbol: Fixtures.sol, mid: 150, mark: 150, book: Fixtures.book(mid: 150, step: Fixtures.decimal("0.01"), size: 100))
        var snapshot = Fixtures.btcSnapshot()
        snapshot.quotes[Fixtures.sol] = solQuote
        _ = exchange.apply(snapshot)
        _ = exchange.submit(Fixtures.limit(99, .sell, "0.001", at: "100500"), at: Fixtures.time(1))
        let before = exchange.accountState()
        let openBefore = exchange.openOrders

        let events = exchange.submit(testCase.request, at: Fixtures.time(1))
        #expect(events.count == 1)
        let order = try #require(events.orders.first)
        #expect(order.status == .rejected)
        #expect(order.rejectionReason == testCase.reason)
        #expect(order.filledSize == .zero)
        #expect(exchange.accountState() == before)
        #expect(exchange.openOrders == openBefore)
    }

    @Test("an order for the same id as an open order is refused")
    func duplicateClientOrderID() {
        var exchange = Fixtures.exchange()
        _ = exchange.apply(Fixtures.btcSnapshot())
        _ = exchange.submit(Fixtures.limit(1, .buy, "0.001", at: "99000"), at: Fixtures.time(1))
        let events = exchange.submit(Fixtures.limit(1, .buy, "0.001", at: "99001"), at: Fixtures.time(1))
        #expect(events.orders.first?.status == .rejected)
        #expect(exchange.openOrders.count == 1)
    }

    @Test("a reduce only order fills at most the open position and cancels the excess")
    func reduceOnlyIsCapped() throws {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        _ = exchange.submit(Fixtures.market(1, .buy, "0.05"), at: Fixtures.time(1))
        let events = exchange.submit(Fixtures.market(2, .sell, "0.2", reduceOnly: true), at: Fixtures.time(2))
        #expect(events.fills.reduce(FixedDecimal.zero) { $0 + $1.size } == Fixtures.decimal("0.05"))
        let order = try #require(events.orders.last)
        #expect(order.status == .partiallyFilled)
        #expect(exchange.position(Fixtures.btc) == nil)
    }

    @Test("reduce only orders below $10 are allowed, as they only close")
    func reduceOnlyBelowMinimumValue() {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        _ = exchange.submit(Fixtures.market(1, .buy, "0.001"), at: Fixtures.time(1))
        let events = exchange.submit(Fixtures.market(2, .sell, "0.00005", reduceOnly: true), at: Fixtures.time(2))
        #expect(events.orders.last?.status == .filled)
    }

    @Test("leverage above the coin's maximum is refused; within it, margin follows")
    func leverageLimits() throws {
        var exchange = Fixtures.exchange(cash: 1_000)
        #expect(throws: PaperExchangeError.invalidLeverage(symbol: Fixtures.btc, requested: 41, maximum: 40)) {
            try exchange.setLeverage(41, for: Fixtures.btc)
        }
        #expect(throws: PaperExchangeError.self) { try exchange.setLeverage(0, for: Fixtures.btc) }
        _ = exchange.apply(Fixtures.btcSnapshot(size: "1"))
        // $1,000 at 20x allows $20,000: 0.25 BTC is refused, at 40x it passes.
        #expect(exchange.submit(Fixtures.market(1, .buy, "0.25"), at: Fixtures.time(1)).orders.last?.status == .rejected)
        try exchange.setLeverage(40, for: Fixtures.btc)
        #expect(exchange.submit(Fixtures.market(2, .buy, "0.25"), at: Fixtures.time(1)).orders.last?.status == .filled)
        // Going back to 2x would need $12,500 of margin the account lacks.
        #expect(throws: PaperExchangeError.insufficientMarginForLeverage(symbol: Fixtures.btc, requested: 2)) {
            try exchange.setLeverage(2, for: Fixtures.btc)
        }
        #expect(exchange.position(Fixtures.btc)?.leverage == 40)
        #expect(exchange.leverage(for: Fixtures.btc) == 40)
    }
}
