import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportLedger
import Foundation
import Logging
import Market
import PaperExchange
import Storage
import Testing
@testable import Arena

/// A restart gives the paper exchange back every resting order and trigger from the ledger: a new
/// runtime on the same SQLite file trades on exactly as the old one would have.
@Suite("Paper exchange restored on restart")
struct PaperRestoreTests {
    let btc = Symbol("BTC")!

    func runtime(_ test: TestLedger) throws -> ArenaRuntime {
        try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 1, start: Timestamp(milliseconds: 1_700_000_000_000)),
                         configuration: ArenaConfiguration(), logger: Logger(label: "restore"),
                         drivers: DriverEnvironment(llm: nil, localModel: nil, variables: [:]), liveVenue: nil)
    }

    func market(_ mid: FixedDecimal, at time: Int64) -> MarketSnapshot {
        TestMarkets.snapshot(btc, mid: mid, at: 1_700_000_000_000 + time, size: 5, levels: 20)
    }

    @Test("resting orders, exit groups and trailing stops come back with their ids, order and state, and trade on")
    func restart() async throws {
        let test = try TestLedger()
        let first = try runtime(test)
        let record = try first.accounts.create(Roster.Entry(
            name: "restored", driver: DriverSettings(kind: .buyAndHold, symbol: btc), symbols: [btc], initial_capital: 100_000,
            risk_limits: nil, mode: nil), network: nil, secrets: [:])
        let before = try #require(first.runner(record.id))
        _ = await before.apply(market(100_000, at: 1_000))
        // A filled entry with its take-profit and stop, a resting entry whose exits wait for it, and a trailing stop.
        _ = await before.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(5, exponent: 1), reduceOnly: false,
                                                        leverage: 5, takeProfit: 102_000, stopLoss: 98_000))
        var resting = GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(2, exponent: 1), reduceOnly: false, leverage: 5,
                                 takeProfit: 101_000, stopLoss: 97_000)
        resting.limit = (99_000, .gtc)
        _ = await before.submitOperatorOrder(resting)
        var trailing = GatedOrder(symbol: btc, side: .sell, size: FixedDecimal(1, exponent: 1), reduceOnly: true, leverage: nil)
        trailing.exits.trigger = PositionExit(kind: .stopLoss, triggerPrice: nil, trailing: .price(1_500))
        _ = await before.submitOperatorOrder(trailing)
        _ = await before.apply(market(100_500, at: 2_000))
        let held = await before.openOrdersNow()
        #expect(held.count == 4)
        #expect(Set(try test.ledger.unfinishedOrders(of: record.id).map(\.order.request.clientOrderID)) == Set(held.map(\.request.clientOrderID)))

        // A new runtime on the same file.
        let second = try runtime(test)
        let after = try #require(second.runner(record.id))
        let restored = await after.openOrdersNow()
        #expect(restored.map(\.request.clientOrderID) == held.map(\.request.clientOrderID))
        #expect(restored.map(\.status) == held.map(\.status))
        #expect(restored.map(\.request.group) == held.map(\.request.group))
        #expect(restored.map(\.request.exits) == held.map(\.request.exits))
        #expect(restored.map(\.request.type) == held.map(\.request.type))
        #expect(restored.map(\.request.trailing) == held.map(\.request.trailing))
        #expect(restored.map(\.venueOrderID) == held.map(\.venueOrderID))
        let stop = try #require(restored.first { $0.request.trailing != nil })
        #expect(stop.request.trailing?.anchor == 100_500)
        #expect(stop.request.type == .trigger(triggerPrice: 99_000, kind: .stopLoss, limitPrice: nil))

        _ = await after.apply(market(100_500, at: 3_000))
        // Cancelling a restored order works: the engine holds it.
        let restingID = try #require(restored.first { $0.status == .open }).request.clientOrderID
        let cancelled = await after.cancel(restingID)
        #expect(cancelled.contains { if case .orderUpdated(let order) = $0 { order.status == .canceled } else { false } })
        #expect(try test.ledger.order(clientOrderID: restingID)?.order.status == .canceled)
        // A restored stop fires, and its take-profit is cancelled with it.
        _ = await after.apply(market(97_900, at: 4_000))
        let all = try test.ledger.recentOrders(of: record.id, limit: 50).map(\.order)
        let entryID = try #require(held.first { $0.request.group != nil && $0.request.trailing == nil }?.request.group)
        let group = all.filter { $0.request.group == entryID }
        #expect(group.first { $0.request.triggerKind == .stopLoss }?.status == .filled)
        #expect(group.first { $0.request.triggerKind == .takeProfit }?.status == .canceled)
        #expect(try test.ledger.positions(of: record.id).isEmpty)
        // Nothing stays open in the ledger that the engine does not hold.
        #expect(Set(try test.ledger.unfinishedOrders(of: record.id).map(\.order.request.clientOrderID))
                == Set(await after.openOrdersNow().map(\.request.clientOrderID)))
    }
}
