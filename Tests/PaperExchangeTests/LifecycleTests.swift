import ArenaCore
import Testing
@testable import PaperExchange

@Suite("Post only, triggers, cancel and modify")
struct LifecycleTests {
    static func trigger(_ sequence: UInt64, _ side: Side, _ size: String, at triggerPrice: String, _ kind: TriggerKind,
                        limit: String? = nil, reduceOnly: Bool = true) -> OrderRequest {
        OrderRequest(clientOrderID: Fixtures.id(sequence), symbol: Fixtures.btc, side: side, size: Fixtures.decimal(size),
                     type: .trigger(triggerPrice: Fixtures.decimal(triggerPrice), kind: kind, limitPrice: limit.map(Fixtures.decimal)),
                     reduceOnly: reduceOnly)
    }

    static func longExchange() -> PaperExchange {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        _ = exchange.submit(Fixtures.market(1, .buy, "0.1"), at: Fixtures.time(1))
        return exchange
    }

    @Test("a post only order that does not cross rests and later fills as maker")
    func postOnlyRests() throws {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        let events = exchange.submit(Fixtures.limit(1, .sell, "0.05", at: "100010", .alo), at: Fixtures.time(1))
        #expect(events.orders.last?.status == .open)
        let later = exchange.apply(Fixtures.btcSnapshot(at: 2, mid: 100_020))
        #expect(later.fills.map(\.liquidity) == [.maker])
        #expect(later.fills.first?.price == 100_010)
        #expect(exchange.position(Fixtures.btc)?.size == Fixtures.decimal("-0.05"))
    }

    @Test("trigger directions follow the venue", arguments: [
        (Side.sell, TriggerKind.stopLoss, "99", true), (Side.sell, .stopLoss, "101", false),
        (Side.sell, .takeProfit, "101", true), (Side.sell, .takeProfit, "99", false),
        (Side.buy, .stopLoss, "101", true), (Side.buy, .stopLoss, "99", false),
        (Side.buy, .takeProfit, "99", true), (Side.buy, .takeProfit, "101", false),
        (Side.buy, .takeProfit, "100", true),
    ])
    func triggerDirections(side: Side, kind: TriggerKind, mark: String, fires: Bool) {
        let request = OrderRequest(clientOrderID: Fixtures.id(1), symbol: Fixtures.btc, side: side, size: 1,
                                   type: .trigger(triggerPrice: 100, kind: kind, limitPrice: nil))
        #expect(TriggerBook.isTriggered(request, mark: Fixtures.decimal(mark)) == fires)
    }

    @Test("a stop-loss market order waits, then fires when the mark falls to it and closes the position")
    func stopLossMarketFires() throws {
        var exchange = Self.longExchange()
        let placed = exchange.submit(Self.trigger(2, .sell, "0.1", at: "99000", .stopLoss), at: Fixtures.time(2))
        #expect(placed.orders.first?.status == .waitingTrigger)
        #expect(exchange.apply(Fixtures.btcSnapshot(at: 3, mid: 99_500)).isEmpty)
        let fired = exchange.apply(Fixtures.btcSnapshot(at: 4, mid: 98_900))
        let order = try #require(fired.orders.last)
        #expect(order.status == .filled)
        #expect(order.midAtSubmission == 98_900)
        #expect(fired.fills.map(\.price) == [98_899])
        #expect(fired.fills.first?.realizedPnl == (98_899 - 100_001) * Fixtures.decimal("0.1"))
        #expect(exchange.position(Fixtures.btc) == nil)
        #expect(exchange.openOrders.isEmpty)
    }

    @Test("a take-profit limit order that fires without crossing rests at its limit")
    func takeProfitLimitRests() throws {
        var exchange = Self.longExchange()
        _ = exchange.submit(Self.trigger(2, .sell, "0.1", at: "101000", .takeProfit, limit: "101200"), at: Fixtures.time(2))
        let fired = exchange.apply(Fixtures.btcSnapshot(at: 3, mid: 101_000))
        #expect(fired.orders.last?.status == .open)
        #expect(fired.fills.isEmpty)
        let filled = exchange.apply(Fixtures.btcSnapshot(at: 4, mid: 101_300))
        #expect(filled.fills.map(\.liquidity) == [.maker])
        #expect(filled.fills.first?.price == 101_200)
        #expect(exchange.position(Fixtures.btc) == nil)
    }

    @Test("a reduce only trigger is cancelled the moment its position is closed, so it never fires")
    func reduceOnlyTriggerWithoutPosition() throws {
        var exchange = Self.longExchange()
        _ = exchange.submit(Self.trigger(2, .sell, "0.1", at: "99000", .stopLoss), at: Fixtures.time(2))
        let closed = exchange.submit(Fixtures.market(3, .sell, "0.1", reduceOnly: true), at: Fixtures.time(2))
        let order = try #require(closed.orders.last)
        #expect(order.request.clientOrderID == Fixtures.id(2))
        #expect(order.status == .canceled)
        #expect(order.rejectionReason == PaperExchange.ExitCancellation.positionClosed)
        #expect(exchange.openOrders.isEmpty)
        let fired = exchange.apply(Fixtures.btcSnapshot(at: 3, mid: 98_000))
        #expect(fired.orders.isEmpty && fired.fills.isEmpty)
    }

    @Test("two exits that fire together: the second finds no position and is cancelled with the reason")
    func twoTriggersFireTogether() throws {
        var exchange = Self.longExchange()
        _ = exchange.submit(Self.trigger(2, .sell, "0.1", at: "99000", .stopLoss), at: Fixtures.time(2))
        _ = exchange.submit(Self.trigger(3, .sell, "0.1", at: "99500", .stopLoss), at: Fixtures.time(2))
        let fired = exchange.apply(Fixtures.btcSnapshot(at: 3, mid: 98_000))
        #expect(fired.orders.map(\.status) == [.filled, .canceled])
        #expect(fired.orders.last?.rejectionReason == "Reduce only order would increase position")
        #expect(exchange.position(Fixtures.btc) == nil)
    }

    @Test("cancel removes a resting limit or a waiting trigger; an unknown id is an error")
    func cancelOrders() throws {
        var exchange = Self.longExchange()
        _ = exchange.submit(Fixtures.limit(2, .buy, "0.01", at: "99000"), at: Fixtures.time(2))
        _ = exchange.submit(Self.trigger(3, .sell, "0.1", at: "99000", .stopLoss), at: Fixtures.time(2))
        #expect(exchange.openOrders.count == 2)
        let canceled = try exchange.cancel(Fixtures.id(2), at: Fixtures.time(3))
        #expect(canceled.orders.map(\.status) == [.canceled])
        #expect(canceled.orders.first?.updatedAt == Fixtures.time(3))
        _ = try exchange.cancel(Fixtures.id(3), at: Fixtures.time(3))
        #expect(exchange.openOrders.isEmpty)
        #expect(throws: PaperExchangeError.unknownOrder(Fixtures.id(2))) { try exchange.cancel(Fixtures.id(2), at: Fixtures.time(4)) }
        // The cancelled stop never fires.
        #expect(exchange.apply(Fixtures.btcSnapshot(at: 5, mid: 98_000)).isEmpty)
    }

    @Test("modify moves a resting limit; a crossing price takes liquidity at once")
    func modifyRestingLimit() throws {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        _ = exchange.submit(Fixtures.limit(1, .buy, "0.15", at: "99000"), at: Fixtures.time(1))
        let moved = try exchange.modify(Fixtures.id(1), price: 99_500, at: Fixtures.time(2))
        #expect(moved.orders.last?.status == .open)
        #expect(exchange.openOrders.first?.request.type == .limit(price: 99_500, timeInForce: .gtc))
        let crossed = try exchange.modify(Fixtures.id(1), price: 100_001, size: Fixtures.decimal("0.2"), at: Fixtures.time(3))
        #expect(crossed.fills.map(\.price) == [100_001])
        #expect(crossed.fills.first?.liquidity == .taker)
        let order = try #require(crossed.orders.last)
        #expect(order.status == .open)
        #expect(order.filledSize == Fixtures.decimal("0.1"))
        #expect(order.remainingSize == Fixtures.decimal("0.1"))
    }

    @Test("a refused modification leaves the order as it was")
    func modifyRejected() throws {
        var exchange = Fixtures.exchange(cash: 100_000)
        _ = exchange.apply(Fixtures.btcSnapshot())
        _ = exchange.submit(Fixtures.limit(1, .buy, "0.15", at: "99000"), at: Fixtures.time(1))
        let before = exchange.openOrders
        #expect(throws: PaperExchangeError.modificationRejected(Fixtures.id(1), reason: "Price must be divisible by tick size")) {
            try exchange.modify(Fixtures.id(1), price: Fixtures.decimal("99000.5"), at: Fixtures.time(2))
        }
        #expect(throws: PaperExchangeError.modificationRejected(Fixtures.id(1), reason: "Insufficient margin to place order")) {
            try exchange.modify(Fixtures.id(1), size: 30, at: Fixtures.time(2))
        }
        #expect(exchange.openOrders == before)
        #expect(throws: PaperExchangeError.unknownOrder(Fixtures.id(9))) { try exchange.modify(Fixtures.id(9), price: 1, at: Fixtures.time(2)) }
    }

    @Test("modify changes a waiting trigger's price and it fires at the new one")
    func modifyTrigger() throws {
        var exchange = Self.longExchange()
        _ = exchange.submit(Self.trigger(2, .sell, "0.1", at: "99000", .stopLoss), at: Fixtures.time(2))
        let modified = try exchange.modify(Fixtures.id(2), triggerPrice: 99_800, at: Fixtures.time(3))
        #expect(modified.orders.first?.status == .waitingTrigger)
        let fired = exchange.apply(Fixtures.btcSnapshot(at: 4, mid: 99_700))
        #expect(fired.orders.last?.status == .filled)
    }
}
