import ArenaCore
import Testing
@testable import PaperExchange

@Suite("Funding, liquidation, latency, restore and the realism profile")
struct AccountTests {
    /// `Fixtures.time(2800)` is a whole hour.
    static let hour: Int64 = 2800

    @Test("funding is paid at each whole hour crossed: longs pay when the rate is positive, shorts receive")
    func hourlyFunding() throws {
        var exchange = Fixtures.exchange(cash: 100_000)
        let rate = Fixtures.decimal("0.0001")
        _ = exchange.apply(Fixtures.btcSnapshot(at: Self.hour - 10, fundingRate: rate))
        _ = exchange.submit(Fixtures.market(1, .buy, "0.1"), at: Fixtures.time(Self.hour - 9))
        let cashBefore = exchange.cash
        #expect(exchange.apply(Fixtures.btcSnapshot(at: Self.hour - 1, fundingRate: rate)).fundingPayments.isEmpty)

        let first = exchange.apply(Fixtures.btcSnapshot(at: Self.hour, fundingRate: rate)).fundingPayments
        let payment = try #require(first.first)
        #expect(first.count == 1)
        #expect(payment.amount == -(Fixtures.decimal("0.1") * 100_000 * rate))
        #expect(payment.time == Fixtures.time(Self.hour))
        #expect(exchange.cash == cashBefore + payment.amount)
        #expect(exchange.ledger.funding == payment.amount)

        // Two hours crossed at once pay twice; a short receives.
        _ = exchange.submit(Fixtures.market(2, .sell, "0.2"), at: Fixtures.time(Self.hour + 1))
        let later = exchange.apply(Fixtures.btcSnapshot(at: Self.hour + 7200, fundingRate: rate)).fundingPayments
        #expect(later.map(\.time) == [Fixtures.time(Self.hour + 3600), Fixtures.time(Self.hour + 7200)])
        #expect(later.allSatisfy { $0.amount == Fixtures.decimal("0.1") * 100_000 * rate && $0.positionSize == Fixtures.decimal("-0.1") })
    }

    @Test("the first snapshot pays no funding")
    func noFundingOnFirstSnapshot() {
        var exchange = Fixtures.exchange()
        exchange.restore(cash: 10_000, positions: [Fixtures.btc: Position(symbol: Fixtures.btc, size: Fixtures.decimal("0.01"), entryPrice: 100_000, leverage: 20)])
        #expect(exchange.apply(Fixtures.btcSnapshot(at: Self.hour, fundingRate: Fixtures.decimal("0.001"))).isEmpty)
    }

    @Test("an account below maintenance margin is liquidated at market through the book")
    func liquidationThroughBook() throws {
        var exchange = Fixtures.exchange(cash: 1_000)
        try exchange.setLeverage(40, for: Fixtures.btc)
        _ = exchange.apply(Fixtures.btcSnapshot(size: "1"))
        #expect(exchange.submit(Fixtures.market(1, .buy, "0.35"), at: Fixtures.time(1)).orders.last?.status == .filled)
        _ = exchange.submit(Fixtures.limit(2, .buy, "0.001", at: "90000"), at: Fixtures.time(1))
        // The liquidation price is about 98,420: at 98,500 the account value (1,000 - 15.75 fees
        // - 525.35 loss = 458.90) is still above maintenance (0.35 × 98,500 / 80 = 430.94).
        #expect(exchange.apply(Fixtures.btcSnapshot(at: 2, mid: 98_500, size: "1")).liquidations.isEmpty)

        let events = exchange.apply(Fixtures.btcSnapshot(at: 3, mid: 97_500, size: "0.1"))
        let liquidation = try #require(events.liquidations.first)
        #expect(liquidation.maintenanceMargin == Fixtures.decimal("0.35") * 97_500 / 80)
        #expect(liquidation.accountValue < liquidation.maintenanceMargin)
        guard case .liquidated = events.first else {
            Issue.record("the liquidation is not recorded first")
            return
        }
        let orders = events.orders
        #expect(orders.first?.status == .canceled)
        #expect(orders.first?.rejectionReason == "Canceled due to liquidation")
        let closing = try #require(orders.last)
        #expect(closing.request.origin == .liquidation)
        #expect(closing.request.reduceOnly)
        #expect(closing.status == .filled)
        #expect(events.fills.map(\.price) == [97_499, 97_498, 97_497, 97_496])
        #expect(events.fills.allSatisfy { $0.isLiquidation && $0.liquidity == .taker })
        #expect(exchange.position(Fixtures.btc) == nil)
        #expect(exchange.openOrders.isEmpty)
        #expect(exchange.cash == exchange.ledger.balance)
        #expect(exchange.cash.isPositive)
    }

    @Test("what the book cannot absorb is closed by the backstop at the mark, without fee")
    func backstopLiquidation() throws {
        var exchange = Fixtures.exchange(cash: 1_000)
        try exchange.setLeverage(40, for: Fixtures.btc)
        _ = exchange.apply(Fixtures.btcSnapshot(size: "1"))
        _ = exchange.submit(Fixtures.market(1, .buy, "0.35"), at: Fixtures.time(1))
        let thin = OrderBook(bids: [BookLevel(price: 97_499, size: Fixtures.decimal("0.1"))], asks: [BookLevel(price: 97_501, size: 1)])
        let quote = Quote(symbol: Fixtures.btc, mid: 97_500, mark: 97_500, book: thin)
        let events = exchange.apply(MarketSnapshot(time: Fixtures.time(2), quotes: [Fixtures.btc: quote]))
        #expect(events.fills.map(\.price) == [97_499, 97_500])
        #expect(events.fills.map(\.size) == [Fixtures.decimal("0.1"), Fixtures.decimal("0.25")])
        #expect(events.fills.last?.fee == .zero)
        #expect(exchange.position(Fixtures.btc) == nil)
    }

    @Test("a gap through zero leaves a deficit no larger than the gap beyond the liquidation price")
    func gapLiquidationDeficitIsBounded() throws {
        var exchange = Fixtures.exchange(cash: 1_000)
        try exchange.setLeverage(40, for: Fixtures.btc)
        _ = exchange.apply(Fixtures.btcSnapshot(size: "1"))
        _ = exchange.submit(Fixtures.market(1, .buy, "0.35"), at: Fixtures.time(1))
        let events = exchange.apply(Fixtures.btcSnapshot(at: 2, mid: 95_000, size: "1"))
        let liquidation = try #require(events.liquidations.first)
        #expect(liquidation.accountValue.isNegative)
        // The loss below zero is the account value at the mark plus the cost of closing from there.
        let closingCost = events.fills.reduce(FixedDecimal.zero) { $0 + $1.fee + (95_000 - $1.price) * $1.size }
        #expect(exchange.cash == liquidation.accountValue - closingCost)
    }

    @Test("with latency an order is pending, then matches the book of the snapshot that passes its due time")
    func latencyDelaysMatching() throws {
        var exchange = Fixtures.exchange(cash: 100_000, configuration: PaperExchangeConfiguration(latency: 500))
        _ = exchange.apply(Fixtures.btcSnapshot())
        let submitted = exchange.submit(Fixtures.market(1, .buy, "0.1"), at: Fixtures.time(1))
        #expect(submitted.orders.map(\.status) == [.pending])
        #expect(exchange.openOrders.count == 1)
        var early = Fixtures.btcSnapshot(mid: 100_050)
        early.time = Fixtures.time(1).adding(milliseconds: 499)
        #expect(exchange.apply(early).isEmpty)
        var due = Fixtures.btcSnapshot(mid: 100_100)
        due.time = Fixtures.time(1).adding(milliseconds: 500)
        let matched = exchange.apply(due)
        let order = try #require(matched.orders.last)
        #expect(order.status == .filled)
        #expect(matched.fills.map(\.price) == [100_101])
        #expect(order.midAtSubmission == 100_000)
        #expect(order.slippageBasisPoints == Fixtures.decimal("10.1"))
    }

    @Test("restoring from a persisted ledger rebuilds the same account")
    func restoreRebuildsAccount() throws {
        var original = Fixtures.exchange(cash: 100_000)
        try original.setLeverage(10, for: Fixtures.btc)
        _ = original.apply(Fixtures.btcSnapshot())
        _ = original.submit(Fixtures.market(1, .buy, "0.2"), at: Fixtures.time(1))
        _ = original.submit(Fixtures.limit(2, .sell, "0.1", at: "100500"), at: Fixtures.time(1))
        let state = original.accountState()

        var restored = Fixtures.exchange(cash: 0)
        restored.restore(cash: state.cash, positions: state.positions, leverages: [Fixtures.btc: 10],
                         openOrders: original.openOrders, lastSnapshotTime: original.lastSnapshotTime)
        _ = restored.apply(Fixtures.btcSnapshot())
        #expect(restored.accountState() == state)
        #expect(restored.openOrders == original.openOrders)
        #expect(restored.leverage(for: Fixtures.btc) == 10)
        let next = Fixtures.btcSnapshot(at: 2, mid: 100_600)
        #expect(PaperEventLog.text(restored.apply(next)) == PaperEventLog.text(original.apply(next)))
        let request = Fixtures.limit(3, .buy, "0.01", at: "99000")
        #expect(restored.submit(request, at: Fixtures.time(3)) == original.submit(request, at: Fixtures.time(3)))
    }

    @Test("the realism profile refuses at random, with a reason from its list")
    func realismRejections() throws {
        var profile = RealismProfile(latencyRange: nil)
        profile.rejectionProbability = 1
        var exchange = Fixtures.exchange(cash: 100_000, configuration: PaperExchangeConfiguration(realism: profile))
        _ = exchange.apply(Fixtures.btcSnapshot())
        let order = try #require(exchange.submit(Fixtures.market(1, .buy, "0.01"), at: Fixtures.time(1)).orders.last)
        #expect(order.status == .rejected)
        #expect(profile.rejectionReasons.contains(order.rejectionReason ?? ""))
        #expect(exchange.cash == 100_000)
    }

    @Test("the realism profile fills large orders in part and refuses orders beyond its liquidity")
    func realismPartialFills() throws {
        var profile = RealismProfile(rejectionProbability: 0, latencyRange: nil)
        profile.partialFillProbability = 1
        var exchange = Fixtures.exchange(cash: 100_000, configuration: PaperExchangeConfiguration(realism: profile))
        _ = exchange.apply(Fixtures.btcSnapshot(size: "10"))
        let order = try #require(exchange.submit(Fixtures.market(1, .buy, "0.2"), at: Fixtures.time(1)).orders.last)
        #expect(order.status == .partiallyFilled)
        #expect(order.filledSize >= Fixtures.decimal("0.1") && order.filledSize <= Fixtures.decimal("0.18"))
        let huge = try #require(exchange.submit(Fixtures.market(2, .buy, "1.1"), at: Fixtures.time(1)).orders.last)
        #expect(huge.rejectionReason == "Order value exceeds available liquidity")
    }

    @Test("the realism profile fills a coin without a book at the mid plus size-based slippage")
    func realismBooklessSlippage() throws {
        let profile = RealismProfile(rejectionProbability: 0, partialFillProbability: 0, latencyRange: nil)
        var exchange = Fixtures.exchange(cash: 100_000, configuration: PaperExchangeConfiguration(realism: profile))
        let quote = Quote(symbol: Fixtures.btc, mid: 100_000, mark: 100_000, book: OrderBook(bids: [], asks: []))
        _ = exchange.apply(MarketSnapshot(time: Fixtures.time(0), quotes: [Fixtures.btc: quote]))
        let small = exchange.submit(Fixtures.market(1, .buy, "0.001"), at: Fixtures.time(1)).fills
        let large = exchange.submit(Fixtures.market(2, .buy, "0.5"), at: Fixtures.time(1)).fills
        // $100 moves 0.01% + 0.09% × 0.001 ≈ 10 dollars; $50,000 moves 0.055% = 55 dollars.
        #expect(small.map(\.price) == [100_011])
        #expect(large.map(\.price) == [100_055])
        // Without the profile the same book refuses a market order for want of liquidity.
        var plain = Fixtures.exchange(cash: 100_000)
        _ = plain.apply(MarketSnapshot(time: Fixtures.time(0), quotes: [Fixtures.btc: quote]))
        #expect(plain.submit(Fixtures.market(1, .buy, "0.001"), at: Fixtures.time(1)).orders.last?.status == .rejected)
    }

    @Test("the realism profile adds random latency from the seed")
    func realismLatency() {
        let profile = RealismProfile(rejectionProbability: 0)
        var exchange = Fixtures.exchange(cash: 100_000, configuration: PaperExchangeConfiguration(realism: profile))
        _ = exchange.apply(Fixtures.btcSnapshot())
        #expect(exchange.submit(Fixtures.market(1, .buy, "0.01"), at: Fixtures.time(1)).orders.last?.status == .pending)
        var due = Fixtures.btcSnapshot()
        due.time = Fixtures.time(1).adding(milliseconds: 200)
        #expect(exchange.apply(due).orders.last?.status == .filled)
    }
}
