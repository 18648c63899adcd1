import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportDrivers
import ArenaTestSupportLedger
import Drivers
import Foundation
import Logging
import Market
import PaperExchange
import Storage
import Testing
@testable import Arena

/// Orders recorded as they happened and exits as one group, over the real runner, paper
/// executor and SQLite ledger.
@Suite("Exit groups and order records")
struct ExitGroupTests {
    let btc = Symbol("BTC")!

    func runner(_ test: TestLedger, _ decisions: [Decision], capital: FixedDecimal = 100_000) throws -> (AccountRunner, AccountRecord) {
        let record = try test.ledger.createAccount(NewAccount(name: "exits", driverKind: "scripted", symbols: [btc], initialCapital: capital),
                                                   now: Timestamp(milliseconds: 0))
        let runner = AccountRunner(record: record, driver: ScriptedDriver(decisions), executor:
                                    PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash, positions: [], seed: 1),
                                   limits: RiskLimits(max_leverage: 20), intervalMilliseconds: 1000, recorder: try Recorder(ledger: test.ledger),
                                   leaderboard: Leaderboard(), instruments: Instrument.defaults, logger: Logger(label: "exits"))
        return (runner, record)
    }

    /// A BTC book around `mid`: `levels` levels a side of `size` coins, `step` apart.
    func market(_ mid: FixedDecimal, at time: Int64, size: FixedDecimal = 5, levels: Int = 20, step: FixedDecimal = 1) -> MarketSnapshot {
        TestMarkets.snapshot(btc, mid: mid, at: time, step: step, size: size, levels: levels)
    }

    func open(_ action: DecisionAction = .openLong, usd: FixedDecimal = 10_000, leverage: Int = 2, takeProfit: FixedDecimal? = nil,
              stopLoss: FixedDecimal? = nil, trailing: TrailingDistance? = nil) -> Decision {
        Decision(instructions: [SymbolDecision(symbol: btc, action: action, size: .usd(usd), leverage: leverage, takeProfit: takeProfit,
                                               stopLoss: stopLoss, justification: "test", trailingStop: trailing)])
    }

    func orders(_ test: TestLedger, _ record: AccountRecord) throws -> [Order] {
        try test.ledger.recentOrders(of: record.id, limit: 100).reversed().map(\.order)
    }

    func exits(_ orders: [Order]) -> [Order] { orders.filter { $0.request.triggerKind != nil } }

    @Test("a market order that fills in part is stored as partly filled, with its size, price and slippage")
    func partialFill() async throws {
        let test = try TestLedger()
        let (runner, record) = try runner(test, [Decision(instructions: [])])
        // 20 levels of 0.5 BTC, 10 USD apart: 10 BTC on the ask side within the 5% bound.
        _ = await runner.apply(market(100_000, at: 1_000, size: FixedDecimal(5, exponent: 1), step: 10))
        _ = await runner.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: 15, reduceOnly: false, leverage: 20))
        let order = try #require(try orders(test, record).first)
        #expect(order.status == .partiallyFilled)
        #expect(order.filledSize == 10)
        #expect(order.remainingSize == 5)
        let average = try #require(order.averageFillPrice)
        #expect(average > 100_000 && average < 100_200)
        #expect(order.slippageBasisPoints.map { $0.isPositive } == true)
        let view = OrderView(id: nil, accountID: record.id, mode: .paper, order: order)
        #expect(view.status == "partially_filled")
        let fills = try test.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fills") } ?? 0
        #expect(fills == 20)
        let feed = try test.ledger.events(after: 0, limit: 200).filter { $0.topic.rawValue == "order" }.map(\.json)
        #expect(feed.last?.contains("\"partially_filled\"") == true)
    }

    @Test("a filled stop cancels its take-profit; both belong to the entry's group")
    func stopCancelsTakeProfit() async throws {
        let test = try TestLedger()
        let (runner, record) = try runner(test, [open(takeProfit: 102_000, stopLoss: 99_000), Decision(instructions: [])])
        _ = await runner.apply(market(100_000, at: 1_000))
        await runner.decide()
        var all = try orders(test, record)
        let entry = try #require(all.first)
        #expect(entry.status == .filled)
        #expect(entry.request.exits.count == 2)
        #expect(exits(all).map(\.status) == [.waitingTrigger, .waitingTrigger])
        #expect(exits(all).allSatisfy { $0.request.group == entry.request.clientOrderID && $0.request.size == entry.filledSize })

        _ = await runner.apply(market(98_900, at: 2_000))
        all = try orders(test, record)
        let takeProfit = try #require(exits(all).first { $0.request.triggerKind == .takeProfit })
        let stop = try #require(exits(all).first { $0.request.triggerKind == .stopLoss })
        #expect(stop.status == .filled)
        #expect(takeProfit.status == .canceled)
        #expect(takeProfit.rejectionReason == PaperExchange.ExitCancellation.siblingFilled)
        #expect(try test.ledger.positions(of: record.id).isEmpty)
        #expect(await runner.openOrdersNow().isEmpty)
    }

    @Test("a model's close cancels both exits")
    func closeCancelsBoth() async throws {
        let test = try TestLedger()
        let close = Decision(instructions: [SymbolDecision(symbol: btc, action: .close, justification: "done")])
        let (runner, record) = try runner(test, [open(takeProfit: 102_000, stopLoss: 99_000), close])
        _ = await runner.apply(market(100_000, at: 1_000))
        await runner.decide()
        _ = await runner.apply(market(100_100, at: 2_000))
        await runner.decide()
        let all = try orders(test, record)
        #expect(exits(all).count == 2)
        #expect(exits(all).allSatisfy { $0.status == .canceled && $0.rejectionReason == PaperExchange.ExitCancellation.positionClosed })
        #expect(await runner.openOrdersNow().isEmpty)
        #expect(try test.ledger.unfinishedOrders(of: record.id).isEmpty)
    }

    @Test("the kill switch's close-all and a liquidation cancel the exits too")
    func killSwitchAndLiquidation() async throws {
        let test = try TestLedger()
        let (runner, record) = try runner(test, [open(takeProfit: 102_000, stopLoss: 99_000)])
        _ = await runner.apply(market(100_000, at: 1_000))
        await runner.decide()
        #expect(exits(try orders(test, record)).count == 2)
        _ = await runner.closeAll(origin: .system)
        #expect(exits(try orders(test, record)).allSatisfy { $0.status == .canceled })
        #expect(await runner.openOrdersNow().isEmpty)

        let liquidated = try TestLedger()
        let (small, smallRecord) = try self.runner(liquidated, [open(usd: 19_000, leverage: 19, takeProfit: 110_000, stopLoss: 90_000)], capital: 1_000)
        _ = await small.apply(market(100_000, at: 1_000))
        await small.decide()
        #expect(exits(try orders(liquidated, smallRecord)).map(\.status) == [.waitingTrigger, .waitingTrigger])
        // A 4.5% fall at 19x leaves less than the maintenance margin, long before the stop at 90,000.
        _ = await small.apply(market(95_500, at: 2_000))
        let after = exits(try orders(liquidated, smallRecord))
        #expect(after.allSatisfy { $0.status == .canceled && $0.rejectionReason == LiquidationEngine.cancellationReason }, "\(after)")
        #expect(try liquidated.ledger.positions(of: smallRecord.id).isEmpty)
        #expect(try liquidated.ledger.unfinishedOrders(of: smallRecord.id).isEmpty)
    }

    @Test("a flip does not inherit the old exits, by a decision or by one operator order")
    func flip() async throws {
        let test = try TestLedger()
        let (runner, record) = try runner(test, [open(takeProfit: 102_000, stopLoss: 99_000),
                                                 open(.openShort, takeProfit: 98_000, stopLoss: 101_000)])
        _ = await runner.apply(market(100_000, at: 1_000))
        await runner.decide()
        let longExits = exits(try orders(test, record)).map(\.request.clientOrderID)
        _ = await runner.apply(market(100_000, at: 2_000))
        await runner.decide()
        var all = try orders(test, record)
        #expect(all.filter { longExits.contains($0.request.clientOrderID) }.allSatisfy { $0.status == .canceled })
        var waiting = await runner.openOrdersNow()
        #expect(waiting.count == 2)
        #expect(waiting.allSatisfy { $0.request.side == .buy && !longExits.contains($0.request.clientOrderID) })
        // One operator buy of twice the short flips it to a long: the short's exits go too.
        let short = try #require(try test.ledger.positions(of: record.id).first)
        #expect(short.size.isNegative)
        _ = await runner.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: short.size.magnitude * 2, reduceOnly: false, leverage: 2))
        all = try orders(test, record)
        #expect(exits(all).filter { $0.request.side == .buy }.allSatisfy {
            $0.status == .canceled && $0.rejectionReason == PaperExchange.ExitCancellation.positionFlipped
        })
        waiting = await runner.openOrdersNow()
        #expect(waiting.isEmpty)
        #expect(try test.ledger.positions(of: record.id).first?.size.isPositive == true)
    }

    @Test("a resting entry gets its exits when it fills, sized to what filled, and resized as it fills more")
    func restingEntry() async throws {
        let test = try TestLedger()
        let (runner, record) = try runner(test, [Decision(instructions: [])])
        _ = await runner.apply(market(100_000, at: 1_000))
        var entry = GatedOrder(symbol: btc, side: .buy, size: 1, reduceOnly: false, leverage: 5, takeProfit: 101_000, stopLoss: 98_000)
        entry.limit = (99_500, .gtc)
        _ = await runner.submitOperatorOrder(entry)
        var all = try orders(test, record)
        #expect(all.count == 1)
        #expect(all.first?.status == .open)
        #expect(all.first?.request.exits.count == 2)
        // Asks of 0.3 BTC at 99,470 and 99,490, under the limit: it buys 0.6.
        _ = await runner.apply(market(99_450, at: 2_000, size: FixedDecimal(3, exponent: 1), levels: 2, step: 20))
        all = try orders(test, record)
        #expect(all.first?.filledSize == FixedDecimal(6, exponent: 1))
        #expect(exits(all).count == 2)
        #expect(exits(all).allSatisfy { $0.status == .waitingTrigger && $0.request.size == FixedDecimal(6, exponent: 1) })
        _ = await runner.apply(market(99_000, at: 3_000))
        all = try orders(test, record)
        #expect(all.first?.status == .filled)
        #expect(exits(all).allSatisfy { $0.status == .waitingTrigger && $0.request.size == 1 })
        #expect(await runner.openOrdersNow().map(\.request.size) == [1, 1])
    }

    @Test("a trailing stop follows a rising price and fires on the turn")
    func trailingStop() async throws {
        let test = try TestLedger()
        let (runner, record) = try runner(test, [open(trailing: .percent(1)), Decision(instructions: [])])
        _ = await runner.apply(market(100_000, at: 1_000))
        await runner.decide()
        var stop = try #require(exits(try orders(test, record)).first)
        #expect(stop.request.trailing?.distance == .percent(1))
        #expect(stop.request.type == .trigger(triggerPrice: 99_000, kind: .stopLoss, limitPrice: nil))
        _ = await runner.apply(market(101_000, at: 2_000))
        _ = await runner.apply(market(102_000, at: 3_000))
        stop = try #require(exits(try orders(test, record)).first)
        #expect(stop.request.type == .trigger(triggerPrice: 100_980, kind: .stopLoss, limitPrice: nil))
        #expect(stop.request.trailing?.anchor == 102_000)
        #expect(stop.status == .waitingTrigger)
        // A dip that stays above the stop leaves it; the turn through it fires it.
        _ = await runner.apply(market(101_500, at: 4_000))
        #expect(try #require(exits(try orders(test, record)).first).status == .waitingTrigger)
        _ = await runner.apply(market(100_900, at: 5_000))
        stop = try #require(exits(try orders(test, record)).first)
        #expect(stop.status == .filled)
        #expect(try test.ledger.positions(of: record.id).isEmpty)
    }

    @Test("a trigger on the wrong side of the price, or a stop-limit that could not fill, is refused and stored")
    func wrongSide() async throws {
        let test = try TestLedger()
        let (runner, record) = try runner(test, [Decision(instructions: [])])
        _ = await runner.apply(market(100_000, at: 1_000))
        _ = await runner.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(1, exponent: 1), reduceOnly: false, leverage: 2))
        var stop = GatedOrder(symbol: btc, side: .sell, size: FixedDecimal(1, exponent: 1), reduceOnly: true, leverage: nil)
        stop.exits.trigger = PositionExit(kind: .stopLoss, triggerPrice: 100_500)
        _ = await runner.submitOperatorOrder(stop)
        stop.exits.trigger = PositionExit(kind: .stopLoss, triggerPrice: 99_000, limitPrice: 99_500)
        _ = await runner.submitOperatorOrder(stop)
        stop.exits.trigger = PositionExit(kind: .stopLoss, triggerPrice: 99_000, limitPrice: 98_900)
        _ = await runner.submitOperatorOrder(stop)
        let all = try orders(test, record)
        #expect(all.count == 4)
        #expect(all[1].status == .rejected)
        #expect(all[1].rejectionReason?.contains("must be below the mark") == true)
        #expect(all[2].status == .rejected)
        #expect(all[2].rejectionReason?.contains("could not fill") == true)
        #expect(all[3].status == .waitingTrigger)
    }
}
