import Arena
import ArenaCore
import ArenaTestSupportCore
import Foundation
import Hyperliquid
import Logging
import Testing

private let btc = Symbol("BTC")!  // A literal that is a valid symbol.

/// The venue of this suite; each test trades its own account.
private let venue = SharedFakeExchange()

/// Exits live, against the fake venue: the venue's own grouping, and trailing stops the arena moves.
@Suite("Live exits against the fake venue", .serialized)
struct LiveExitTests {
    let accountID = AccountID(43)

    func market(_ mid: FixedDecimal, at time: Int64) -> MarketSnapshot {
        TestMarkets.snapshot(at: time, TestMarkets.quote(btc, mid: mid, book: TestMarkets.book(mid: mid, size: 1, levels: 1, offset: 0)))
    }

    func executor(_ fake: FakeExchange, key: UInt8) async throws -> (HyperliquidExecutor, Signer) {
        let signer = try testSigner(key)
        try await fake.addUser(signer.address)
        try await fake.setMids(["BTC": "65000", "ETH": "3000", "SOL": "150"])
        let client = try exchangeClient(fake, signer: signer)
        let universe = HyperliquidUniverse(meta: try await client.info.meta())
        let executor = HyperliquidExecutor(exchange: client, universe: universe, accountID: accountID, fillsAfter: Timestamp(milliseconds: 0),
                                           configuration: .init(pollIntervalMilliseconds: 0, fillLookupDelay: .milliseconds(20),
                                                                deadManSwitchMilliseconds: nil),
                                           logger: Logger(label: "live-exits"))
        return (executor, signer)
    }

    func id(_ sequence: UInt64) -> ClientOrderID { ClientOrderID(account: accountID, sequence: sequence) }

    func latest(_ events: [ExchangeEvent]) -> [ClientOrderID: Order] {
        var orders: [ClientOrderID: Order] = [:]
        for case .orderUpdated(let order) in events { orders[order.request.clientOrderID] = order }
        return orders
    }

    @Test("an entry and its exits go out as one normalTpsl order; a filled stop cancels the take-profit at the venue")
    func groupedExits() async throws {
        let fake = try await venue.fake
        let (executor, signer) = try await executor(fake, key: 0x71)
        _ = await executor.apply(market(65_000, at: 1_000))
        var entry = OrderRequest(clientOrderID: id(1), symbol: btc, side: .buy, size: FixedDecimal(2, exponent: 3),
                                 type: .market(slippageBound: OrderType.defaultSlippageBound))
        entry.exits = [ExitLeg(clientOrderID: id(2), kind: .takeProfit, triggerPrice: 66_000),
                       ExitLeg(clientOrderID: id(3), kind: .stopLoss, triggerPrice: 64_000)]
        var orders = latest(await executor.submit(entry, leverage: nil, at: Timestamp(milliseconds: 1_000)))
        #expect(orders[id(1)]?.status == .filled)
        #expect(orders[id(2)]?.status == .waitingTrigger && orders[id(3)]?.status == .waitingTrigger)
        #expect(orders[id(2)]?.request.group == id(1))
        let atVenue = try await fake.orders(of: signer.address)
        #expect(atVenue.filter { $0["isTrigger"] as? Bool == true && $0["status"] as? String == "open" }.count == 2)
        #expect(atVenue.filter { $0["isTrigger"] as? Bool == true }.allSatisfy { $0["sz"] as? String == "0.002" })

        try await fake.setMids(["BTC": "63900"])
        orders = latest(await executor.apply(market(63_900, at: 2_000)))
        #expect(orders[id(3)]?.status == .filled)
        #expect(orders[id(2)]?.status == .canceled)
        #expect(orders[id(2)]?.rejectionReason == "siblingFilledCanceled")
        #expect(await executor.activeOrders().isEmpty)
        #expect(await executor.state().positions[btc] == nil)
    }

    @Test("a resting entry's exits wait at the venue until it fills; a refused stop on the wrong side is stored with the reason")
    func restingEntryAndWrongSide() async throws {
        let fake = try await venue.fake
        let (executor, signer) = try await executor(fake, key: 0x72)
        _ = await executor.apply(market(65_000, at: 1_000))
        var wrong = OrderRequest(clientOrderID: id(10), symbol: btc, side: .buy, size: FixedDecimal(2, exponent: 3),
                                 type: .market(slippageBound: OrderType.defaultSlippageBound))
        wrong.exits = [ExitLeg(clientOrderID: id(11), kind: .stopLoss, triggerPrice: 65_500)]
        let refused = latest(await executor.submit(wrong, leverage: nil, at: Timestamp(milliseconds: 1_000)))
        #expect(refused[id(10)]?.status == .rejected)
        #expect(refused[id(10)]?.rejectionReason?.contains("must be below the mark") == true)
        #expect(try await fake.orders(of: signer.address).isEmpty)

        var entry = OrderRequest(clientOrderID: id(12), symbol: btc, side: .buy, size: FixedDecimal(2, exponent: 3),
                                 type: .limit(price: 64_500, timeInForce: .gtc))
        entry.exits = [ExitLeg(clientOrderID: id(13), kind: .stopLoss, triggerPrice: 63_000)]
        let placed = latest(await executor.submit(entry, leverage: nil, at: Timestamp(milliseconds: 1_000)))
        #expect(placed[id(12)]?.status == .open)
        #expect(placed[id(13)]?.status == .waitingTrigger)
        var stop = try #require(try await fake.orders(of: signer.address).first { $0["isTrigger"] as? Bool == true })
        #expect(stop["active"] as? Bool == false)
        try await fake.setMids(["BTC": "64400"])
        _ = await executor.apply(market(64_400, at: 2_000))
        stop = try #require(try await fake.orders(of: signer.address).first { $0["isTrigger"] as? Bool == true })
        #expect(stop["active"] as? Bool == true)
        #expect(stop["sz"] as? String == "0.002")
        #expect(await executor.state().positions[btc]?.size == FixedDecimal(2, exponent: 3))
    }

    @Test("a trailing stop follows a rising price (the arena moves the venue's trigger) and fires on the turn")
    func trailingStop() async throws {
        let fake = try await venue.fake
        let (executor, signer) = try await executor(fake, key: 0x73)
        _ = await executor.apply(market(65_000, at: 1_000))
        var entry = OrderRequest(clientOrderID: id(20), symbol: btc, side: .buy, size: FixedDecimal(2, exponent: 3),
                                 type: .market(slippageBound: OrderType.defaultSlippageBound))
        entry.exits = [ExitLeg(clientOrderID: id(21), kind: .stopLoss, triggerPrice: 64_350, trailing: .percent(1))]
        _ = await executor.submit(entry, leverage: nil, at: Timestamp(milliseconds: 1_000))
        func venueStop() async throws -> [String: Any] {
            try #require(try await fake.orders(of: signer.address).first { $0["isTrigger"] as? Bool == true })
        }
        #expect(try await venueStop()["triggerPx"] as? String == "64350.0")

        for (time, mid) in [(2_000, "66000"), (3_000, "67000")] {
            try await fake.setMids(["BTC": mid])
            let moved = latest(await executor.apply(market(FixedDecimal(mid)!, at: Int64(time))))
            #expect(moved[id(21)]?.rejectionReason == HyperliquidExecutor.trailingNote)
        }
        var stop = try await venueStop()
        #expect(stop["triggerPx"] as? String == "66330.0")
        #expect(stop["modified"] as? Int == 2)
        #expect(stop["status"] as? String == "open")
        // The turn: 66,200 is below the stop the arena moved up to 66,330.
        try await fake.setMids(["BTC": "66200"])
        let fired = latest(await executor.apply(market(66_200, at: 4_000)))
        stop = try await venueStop()
        #expect(stop["status"] as? String == "filled")
        #expect(fired[id(21)]?.status == .filled)
        #expect(await executor.state().positions[btc] == nil)
    }
}
