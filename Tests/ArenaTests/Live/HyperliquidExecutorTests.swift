import Arena
import ArenaCore
import ArenaTestSupportCore
import Foundation
import HTTP
import Hyperliquid
import Logging
import Testing

private let btc = Symbol("BTC")!  // A literal that is a valid symbol.
private let eth = Symbol("ETH")!

/// A market snapshot at the fake's prices (BTC 65000, ETH 3000 unless given).
private func market(at time: Int64, btcMid: FixedDecimal = 65_000, ethMid: FixedDecimal = 3_000) -> MarketSnapshot {
    func quote(_ symbol: Symbol, _ mid: FixedDecimal) -> Quote {
        TestMarkets.quote(symbol, mid: mid, book: TestMarkets.book(mid: mid, size: 1, levels: 1, offset: 0))
    }
    return TestMarkets.snapshot(at: time, quote(btc, btcMid), quote(eth, ethMid))
}

/// A live account on the fake: its exchange client, the venue's universe and an executor.
private struct LiveAccount {
    let fake: FakeExchange
    let signer: Signer
    let client: HyperliquidExchangeClient
    let universe: HyperliquidUniverse
    let accountID = AccountID(42)
    var sequence: UInt64 = 0

    init(fake: FakeExchange, key: UInt8, attempts: Int = 3, resubmissions: Int = 2) async throws {
        self.fake = fake
        signer = try testSigner(key)
        try await fake.addUser(signer.address)
        // Earlier tests may have moved the shared venue's prices.
        try await fake.setMids(["BTC": "65000", "ETH": "3000", "SOL": "150"])
        client = try exchangeClient(fake, signer: signer, attempts: attempts, resubmissions: resubmissions)
        universe = HyperliquidUniverse(meta: try await client.info.meta())
    }

    func executor(fillsAfter: Timestamp = Timestamp(milliseconds: 0)) -> HyperliquidExecutor {
        HyperliquidExecutor(exchange: client, universe: universe, accountID: accountID, fillsAfter: fillsAfter,
                            configuration: .init(pollIntervalMilliseconds: 0, fillLookupDelay: .milliseconds(20),
                                                 deadManSwitchMilliseconds: nil),
                            logger: Logger(label: "test"))
    }

    mutating func request(_ side: Side, size: FixedDecimal, symbol: Symbol = btc,
                          type: OrderType = .market(slippageBound: OrderType.defaultSlippageBound), reduceOnly: Bool = false) -> OrderRequest {
        sequence += 1
        return OrderRequest(clientOrderID: ClientOrderID(account: accountID, sequence: sequence), symbol: symbol, side: side, size: size,
                            type: type, reduceOnly: reduceOnly)
    }
}

private func orders(in events: [ExchangeEvent]) -> [Order] {
    events.compactMap { if case .orderUpdated(let order) = $0 { order } else { nil } }
}

private func fills(in events: [ExchangeEvent]) -> [Fill] {
    events.compactMap { if case .filled(let fill) = $0 { fill } else { nil } }
}

/// The venue of this suite's tests; each test trades its own account.
private let venue = SharedFakeExchange()

@Suite("The live executor's dead-man switch")
struct DeadManSwitchTests {
    @Test("market updates push the venue's scheduled cancel forward at a third of its window, signed and accepted")
    func refreshesScheduleCancel() async throws {
        let fake = try await venue.fake
        let account = try await LiveAccount(fake: fake, key: 0x5d)
        let executor = HyperliquidExecutor(exchange: account.client, universe: account.universe, accountID: account.accountID,
                                           fillsAfter: Timestamp(milliseconds: 0),
                                           configuration: .init(pollIntervalMilliseconds: 0, deadManSwitchMilliseconds: 60_000),
                                           logger: Logger(label: "test"))
        func scheduleCancels() async throws -> Int {
            let state = try await fake.control()
            let actions = (state["actions"] as? [String: [String]])?[account.signer.address.lowercaseHex.lowercased()] ?? []
            return actions.filter { $0 == "scheduleCancel" }.count
        }
        _ = await executor.apply(market(at: 1_000))
        #expect(try await scheduleCancels() == 1)
        _ = await executor.apply(market(at: 11_000))
        #expect(try await scheduleCancels() == 1)
        _ = await executor.apply(market(at: 21_000))
        #expect(try await scheduleCancels() == 2)
        #expect(await executor.deadManRefreshedAt == Timestamp(milliseconds: 21_000))
    }
}

@Suite("Live mode against the fake venue", .serialized)
struct HyperliquidExecutorTests {
    @Test("a market order goes out as an IOC within the slippage bound and fills with the venue's fee")
    func marketOrderFills() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x31)
        let executor = account.executor()
        _ = await executor.apply(market(at: 1_000))
        let request = account.request(.buy, size: FixedDecimal(2, exponent: 3))

        let events = await executor.submit(request, leverage: nil, at: Timestamp(milliseconds: 1_000))
        let order = try #require(orders(in: events).last)
        #expect(order.status == .filled)
        #expect(order.filledSize == FixedDecimal(2, exponent: 3))
        #expect(order.averageFillPrice == FixedDecimal(65_006_5, exponent: 1))
        #expect(order.venueOrderID != nil)
        let fill = try #require(fills(in: events).first)
        #expect(fill.clientOrderID == request.clientOrderID && fill.liquidity == .taker)
        // The fake charges 0.045% taker: 130.013 × 0.00045 = 0.05850585, rounded to 0.058506.
        #expect(fill.fee == FixedDecimal(58_506, exponent: 6))
        let venueOrder = try #require(try await fake.orders(of: account.signer.address).first)
        #expect(venueOrder["tif"] as? String == "Ioc")
        // 65000 × 1.05 = 68250, the SDK's market price.
        #expect(venueOrder["limitPx"] as? String == "68250.0")

        let state = await executor.state()
        #expect(state.positions[btc]?.size == FixedDecimal(2, exponent: 3))
        #expect(state.equity == state.cash + state.unrealizedPnl)
        #expect(state.cash == FixedDecimal(10_000) - fill.fee)
    }

    @Test("a limit order rests, then fills when the market reaches it, with realised PnL on the close")
    func limitRestsThenFills() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x32)
        let executor = account.executor()
        _ = await executor.apply(market(at: 1_000))
        let open = await executor.submit(account.request(.buy, size: FixedDecimal(1, exponent: 2)), leverage: nil, at: Timestamp(milliseconds: 1_000))
        #expect(orders(in: open).last?.status == .filled)
        let limit = account.request(.sell, size: FixedDecimal(1, exponent: 2), type: .limit(price: 70_000, timeInForce: .gtc), reduceOnly: true)

        let placed = await executor.submit(limit, leverage: nil, at: Timestamp(milliseconds: 2_000))
        #expect(orders(in: placed).map(\.status) == [.open])
        #expect(await executor.trackedOrders.map(\.request.clientOrderID) == [limit.clientOrderID])

        try await fake.setMids(["BTC": "71000"])
        let later = await executor.apply(market(at: 3_000, btcMid: 71_000))
        let filled = try #require(orders(in: later).last)
        #expect(filled.request.clientOrderID == limit.clientOrderID && filled.status == .filled)
        let fill = try #require(fills(in: later).first)
        #expect(fill.liquidity == .maker && fill.price == FixedDecimal(70_000))
        #expect(fill.realizedPnl == (FixedDecimal(70_000) - FixedDecimal(65_006_5, exponent: 1)) * FixedDecimal(1, exponent: 2))
        #expect(await executor.trackedOrders.isEmpty)
        #expect(await executor.state().positions[btc] == nil)
    }

    @Test("a rejected order keeps the venue's words as its rejection reason")
    func rejectionKeepsVenueText() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x33)
        let executor = account.executor()
        _ = await executor.apply(market(at: 1_000))
        let events = await executor.submit(account.request(.buy, size: FixedDecimal(1, exponent: 4)), leverage: nil, at: Timestamp(milliseconds: 1_000))
        let order = try #require(orders(in: events).last)
        #expect(order.status == .rejected)
        #expect(order.rejectionReason == "Order must have minimum value of $10.")
        #expect(fills(in: events).isEmpty)
    }

    @Test("a resting order is cancelled at the venue")
    func cancelRestingOrder() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x34)
        let executor = account.executor()
        _ = await executor.apply(market(at: 1_000))
        let request = account.request(.buy, size: FixedDecimal(1, exponent: 1), symbol: eth, type: .limit(price: 2_500, timeInForce: .gtc))
        let placed = await executor.submit(request, leverage: nil, at: Timestamp(milliseconds: 1_000))
        #expect(orders(in: placed).last?.status == .open)

        let events = await executor.cancel(request.clientOrderID, at: Timestamp(milliseconds: 2_000))
        #expect(orders(in: events).map(\.status) == [.canceled])
        #expect(try await fake.orders(of: account.signer.address).first?["status"] as? String == "canceled")
        #expect(await executor.trackedOrders.isEmpty)
    }

    @Test("leverage is set at the venue before an order when it differs, and only then")
    func leverageBeforeOrder() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x35)
        let executor = account.executor()
        _ = await executor.apply(market(at: 1_000))
        _ = await executor.submit(account.request(.buy, size: FixedDecimal(1, exponent: 3)), leverage: 5, at: Timestamp(milliseconds: 1_000))
        _ = await executor.submit(account.request(.buy, size: FixedDecimal(1, exponent: 3)), leverage: 5, at: Timestamp(milliseconds: 2_000))
        // The risk engine refuses 80x before any executor sees it (RiskEngineTests); the executor does
        // not check again, so a leverage that reached it anyway is the venue's to refuse, and no order follows.
        let refused = await executor.submit(account.request(.buy, size: FixedDecimal(1, exponent: 3)), leverage: 80, at: Timestamp(milliseconds: 3_000))

        #expect(try await fake.actions(of: account.signer.address) == ["updateLeverage", "order", "order", "updateLeverage"])
        let state = try await fake.control()
        let users = state["users"] as? [String: [String: Any]]
        #expect((users?[account.signer.address.lowercaseHex]?["leverage"] as? [String: [Any]])?["BTC"]?.first as? Int == 5)
        #expect(orders(in: refused).last?.rejectionReason?.contains("Invalid leverage value") == true)
        #expect(await executor.state().positions[btc]?.leverage == 5)
    }

    @Test("take profit and stop loss are reduce-only triggers waiting for their price")
    func takeProfitAndStopLoss() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x36)
        let executor = account.executor()
        _ = await executor.apply(market(at: 1_000))
        _ = await executor.submit(account.request(.buy, size: FixedDecimal(1, exponent: 2)), leverage: nil, at: Timestamp(milliseconds: 1_000))
        let takeProfit = account.request(.sell, size: FixedDecimal(1, exponent: 2), type: .trigger(triggerPrice: 70_000, kind: .takeProfit, limitPrice: nil))
        let stopLoss = account.request(.sell, size: FixedDecimal(1, exponent: 2), type: .trigger(triggerPrice: 60_000, kind: .stopLoss, limitPrice: nil))

        let placedTakeProfit = await executor.submit(takeProfit, leverage: nil, at: Timestamp(milliseconds: 2_000))
        let placedStopLoss = await executor.submit(stopLoss, leverage: nil, at: Timestamp(milliseconds: 2_000))
        #expect(orders(in: placedTakeProfit).last?.status == .waitingTrigger)
        #expect(orders(in: placedStopLoss).last?.request.reduceOnly == true)
        let venue = try await fake.orders(of: account.signer.address).filter { $0["isTrigger"] as? Bool == true }
        #expect(venue.count == 2)
        #expect(venue.allSatisfy { $0["reduceOnly"] as? Bool == true })
        #expect(Set(venue.compactMap { $0["orderType"] as? String }) == ["Take Profit Market", "Stop Market"])

        try await fake.setMids(["BTC": "59000"])
        let fired = await executor.apply(market(at: 3_000, btcMid: 59_000))
        #expect(orders(in: fired).contains { $0.request.clientOrderID == stopLoss.clientOrderID && $0.status == .filled })
        #expect(fills(in: fired).map(\.clientOrderID) == [stopLoss.clientOrderID])
    }

    @Test("a new executor after a restart finds the open orders and positions at the venue")
    func reconcileAfterRestart() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x37)
        let first = account.executor()
        _ = await first.apply(market(at: 1_000))
        let opened = await first.submit(account.request(.buy, size: FixedDecimal(2, exponent: 3)), leverage: 3, at: Timestamp(milliseconds: 1_000))
        let lastFill = try #require(fills(in: opened).last)
        let resting = account.request(.buy, size: FixedDecimal(1, exponent: 1), symbol: eth, type: .limit(price: 2_500, timeInForce: .gtc))
        _ = await first.submit(resting, leverage: nil, at: Timestamp(milliseconds: 2_000))

        // A restart: a new instance knows nothing but the ledger's newest fill time.
        let second = account.executor(fillsAfter: lastFill.time)
        #expect(await second.needsReconciliation)
        let found = await second.reconcile(at: Timestamp(milliseconds: 3_000))
        #expect(!(await second.needsReconciliation))
        let order = try #require(orders(in: found).first)
        #expect(order.request.clientOrderID == resting.clientOrderID)
        #expect(order.status == .open && order.request.type == .limit(price: 2_500, timeInForce: .gtc))
        #expect(fills(in: found).isEmpty)
        let state = await second.state()
        #expect(state.positions[btc]?.size == FixedDecimal(2, exponent: 3))
        #expect(state.positions[btc]?.leverage == 3)
        #expect(state.equity == state.cash + state.unrealizedPnl)

        // The restarted executor follows the order it found.
        let cancelled = await second.cancel(resting.clientOrderID, at: Timestamp(milliseconds: 4_000))
        #expect(orders(in: cancelled).map(\.status) == [.canceled])
    }

    @Test("no duplicate order when the answer is lost after the venue applied it")
    func noDuplicateUnderTimeouts() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x38)
        let executor = account.executor()
        _ = await executor.apply(market(at: 1_000))
        try await fake.fail("timeout_after", seconds: 2)
        let request = account.request(.buy, size: FixedDecimal(1, exponent: 3))

        let events = await executor.submit(request, leverage: nil, at: Timestamp(milliseconds: 1_000))
        let order = try #require(orders(in: events).last)
        #expect(order.status == .filled && order.filledSize == FixedDecimal(1, exponent: 3))
        #expect(fills(in: events).count == 1)
        try await fake.fail("timeout_before", seconds: 2)
        let second = account.request(.buy, size: FixedDecimal(1, exponent: 3))
        let secondEvents = await executor.submit(second, leverage: nil, at: Timestamp(milliseconds: 2_000))
        #expect(orders(in: secondEvents).last?.status == .filled)

        let venue = try await fake.orders(of: account.signer.address)
        #expect(venue.filter { $0["cloid"] as? String == request.clientOrderID.hex }.count == 1)
        #expect(venue.filter { $0["cloid"] as? String == second.clientOrderID.hex }.count == 1)
        #expect(venue.count == 2)
        #expect(await executor.state().positions[btc]?.size == FixedDecimal(2, exponent: 3))
    }

    @Test("an outcome nobody can tell leaves the order pending; reconciliation settles it before the next trade")
    func unclearOutcomeReconciles() async throws {
        let fake = try await venue.fake
        var account = try await LiveAccount(fake: fake, key: 0x39, attempts: 1, resubmissions: 0)
        let executor = account.executor()
        _ = await executor.apply(market(at: 1_000))
        try await fake.fail("timeout_after", seconds: 2)
        try await fake.fail("http500", endpoint: "info")
        let request = account.request(.buy, size: FixedDecimal(1, exponent: 3))

        let events = await executor.submit(request, leverage: nil, at: Timestamp(milliseconds: 1_000))
        #expect(orders(in: events).map(\.status) == [.pending])
        #expect(await executor.needsReconciliation)

        let settled = await executor.apply(market(at: 2_000))
        #expect(orders(in: settled).last?.status == .filled)
        #expect(fills(in: settled).map(\.clientOrderID) == [request.clientOrderID])
        #expect(!(await executor.needsReconciliation))
        #expect(try await fake.orders(of: account.signer.address).count == 1)
    }
}
