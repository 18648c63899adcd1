import Arena
import ArenaCore
import ArenaTestSupportCore
import Foundation
import HTTP
import Hyperliquid
import Logging
import Testing

/// A live account restarted after a crash reconciles with the venue by client order id, from
/// what the ledger held as open.
@Suite("Live reconciliation after a restart", .serialized)
struct LiveReconciliationTests {
    let btc = Symbol("BTC")!
    let eth = Symbol("ETH")!
    let accountID = AccountID(77)

    func market(at time: Int64, btcMid: FixedDecimal = 65_000) -> MarketSnapshot {
        func quote(_ symbol: Symbol, _ mid: FixedDecimal) -> Quote {
            TestMarkets.quote(symbol, mid: mid, book: TestMarkets.book(mid: mid, size: 1, levels: 1, offset: 0))
        }
        return TestMarkets.snapshot(at: time, quote(btc, btcMid), quote(eth, 3_000))
    }

    func executor(_ client: HyperliquidExchangeClient, _ universe: HyperliquidUniverse) -> HyperliquidExecutor {
        HyperliquidExecutor(exchange: client, universe: universe, accountID: accountID, fillsAfter: Timestamp(milliseconds: 0),
                            configuration: .init(pollIntervalMilliseconds: 0, fillLookupDelay: .milliseconds(20), deadManSwitchMilliseconds: nil),
                            logger: Logger(label: "test"))
    }

    func request(_ sequence: UInt64, _ symbol: Symbol, _ side: Side, size: FixedDecimal, price: FixedDecimal) -> OrderRequest {
        OrderRequest(clientOrderID: ClientOrderID(account: accountID, sequence: sequence), symbol: symbol, side: side, size: size,
                     type: .limit(price: price, timeInForce: .gtc), reduceOnly: false)
    }

    @Test("orders the ledger holds as open but the venue no longer has get their true status and fills; an order the ledger never stored is reported")
    func reconcileFromLedger() async throws {
        let fake = try await FakeExchange.start()
        let signer = try testSigner(0x5A)
        try await fake.addUser(signer.address)
        try await fake.setMids(["BTC": "65000", "ETH": "3000", "SOL": "150"])
        let client = try exchangeClient(fake, signer: signer)
        let universe = HyperliquidUniverse(meta: try await client.info.meta())

        // Before the crash: two resting orders the ledger stored as open, and a third the venue
        // accepted just before the process died, so the ledger never stored it.
        let before = executor(client, universe)
        _ = await before.apply(market(at: 1_000))
        let cancelledWhileDown = request(1, eth, .buy, size: FixedDecimal(1, exponent: 1), price: 2_500)
        let filledWhileDown = request(2, btc, .buy, size: FixedDecimal(1, exponent: 3), price: 64_000)
        let neverStored = request(3, eth, .buy, size: FixedDecimal(1, exponent: 1), price: 2_400)
        var ledgerOpen: [Order] = []
        for order in [cancelledWhileDown, filledWhileDown] {
            let events = await before.submit(order, leverage: nil, at: Timestamp(milliseconds: 2_000))
            let stored = try #require(events.compactMap { if case .orderUpdated(let order) = $0 { order } else { nil } }.last)
            #expect(stored.status == .open)
            ledgerOpen.append(stored)
        }
        _ = await before.submit(neverStored, leverage: nil, at: Timestamp(milliseconds: 2_000))

        // While the arena is down: one order is cancelled at the venue, the other fills.
        _ = await before.cancel(cancelledWhileDown.clientOrderID, at: Timestamp(milliseconds: 3_000))
        try await fake.setMids(["BTC": "63000"])

        // The restart: a new executor takes the ledger's open orders, then reconciles.
        let after = executor(client, universe)
        await after.adoptLedger(openOrders: ledgerOpen, lastFill: nil, lastFunding: nil)
        let events = await after.reconcile(at: Timestamp(milliseconds: 4_000))
        let orders = events.compactMap { if case .orderUpdated(let order) = $0 { order } else { nil } }
        let fills = events.compactMap { if case .filled(let fill) = $0 { fill } else { nil } }
        #expect(orders.last { $0.request.clientOrderID == cancelledWhileDown.clientOrderID }?.status == .canceled)
        let filled = try #require(orders.last { $0.request.clientOrderID == filledWhileDown.clientOrderID })
        #expect(filled.status == .filled && filled.filledSize == FixedDecimal(1, exponent: 3))
        #expect(fills.map(\.clientOrderID) == [filledWhileDown.clientOrderID])
        #expect(fills.first?.size == FixedDecimal(1, exponent: 3))
        #expect(orders.last { $0.request.clientOrderID == neverStored.clientOrderID }?.status == .open)
        #expect(await after.ordersUnknownToLedger == [neverStored.clientOrderID])
        #expect(await after.trackedOrders.map(\.request.clientOrderID) == [neverStored.clientOrderID])
        #expect(await after.state().positions[btc]?.size == FixedDecimal(1, exponent: 3))
        #expect(!(await after.needsReconciliation))
    }
}
