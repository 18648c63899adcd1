import ArenaCore
import Drivers
import Testing

/// The six acceptance cases of the Fibonacci hedge (`docs/HEDGES.md`), each driven through scripted
/// mids on the paper exchange by a real account runner, risk gate and ledger: ETH, initial margin
/// 1000, leverage 3, defaults otherwise.
///
/// The opening long fills at the book's best ask, 0.05 above the first mid, so the swing low of
/// the first cycle is 3000.05 rather than 3000: ranges and stops below are computed from the state
/// and differ from the spec's round numbers by that much.
@Suite("Fibonacci hedge: acceptance cases")
struct FibonacciAcceptanceTests {
    static func mids(_ values: Int...) -> [FixedDecimal] { values.map { FixedDecimal($0) } }

    static let eth = FibonacciHarness.eth
    static let instrument = Instrument.defaultInstrument(for: eth)

    /// The signed size of each order after the first `skip`, as the ledger stores it.
    static func signedSizes(_ hedge: FibonacciHarness, after skip: Int) throws -> [FixedDecimal] {
        try hedge.orders().dropFirst(skip).map { $0.order.request.side == .buy ? $0.order.filledSize : -$0.order.filledSize }
    }

    @Test("1. no level counts before the minimum swing: 3000, 3040, 3020 trade nothing after the start")
    func noLevelBeforeMinimumSwing() async throws {
        let hedge = try FibonacciHarness()
        await hedge.run(Self.mids(3000))
        let start = hedge.driver.state
        #expect(start.started && start.cycle == 1 && start.phase == .riding)
        #expect(start.swingLow == FixedDecimal(300_005, exponent: 2) && start.swingHigh == start.swingLow, "the opening fill's average")
        #expect(start.baseNotional == 3_000, "N = 1000 x 3")
        #expect(try hedge.venueSize() == 1, "3000 USD at 3000")
        await hedge.run(Self.mids(3040, 3020))
        let state = hedge.driver.state
        #expect(state.swingHigh == 3_040)
        #expect(state.range < FixedDecimal(60), "the range is below 2% of the swing low")
        #expect(state.phase == .riding && state.longLeg == 1 && state.shortLeg == 0)
        #expect(state.lastRetracement == 0, "r is taken as 0 below the minimum swing")
        #expect(try hedge.orders().count == 1, "only the start traded")
        #expect(try hedge.lastReasoning().contains("r taken as 0"))
        try await hedge.checkLedger()
    }

    @Test("2. hedge at 23.6%: 3000, 3200, 3150 sells the whole long in one order; HEDGED, A = B = 0.5, venue flat")
    func hedgeAtFirstLevel() async throws {
        let hedge = try FibonacciHarness()
        await hedge.run(Self.mids(3000, 3200))
        #expect(hedge.driver.state.swingHigh == 3_200)
        #expect(try hedge.orders().count == 1)
        await hedge.step(to: 3_150)
        let state = hedge.driver.state
        #expect(state.phase == .hedged && state.longLeg == FixedDecimal(5, exponent: 1) && state.shortLeg == FixedDecimal(5, exponent: 1))
        #expect(state.levelReached == 1 && state.valley == 3_150)
        let orders = try hedge.orders()
        #expect(orders.count == 2, "one sell order")
        let sell = try #require(orders.last)
        #expect(sell.order.request.side == .sell && sell.order.filledSize == 1, "the whole long's coin size")
        #expect(try hedge.venueSize().magnitude <= FixedDecimal(1, exponent: 4), "flat within one size step")
        #expect(try hedge.lastReasoning().contains("Level: RIDING -> HEDGED at r=0.25"))
        try await hedge.checkLedger()
    }

    @Test("3. a gap through all levels: 3000, 3200, 3090 sends three orders in order and ends short 0.5 x N / price")
    func gapThroughAllLevels() async throws {
        let hedge = try FibonacciHarness()
        await hedge.run(Self.mids(3000, 3200, 3090))
        let state = hedge.driver.state
        #expect(state.phase == .out && state.longLeg == 0 && state.shortLeg == FixedDecimal(5, exponent: 1))
        #expect(state.levelReached == 3)
        let quarter = Self.instrument.roundSize(FixedDecimal(750) / 3_090)
        let half = Self.instrument.roundSize(FixedDecimal(1_500) / 3_090)
        #expect(try Self.signedSizes(hedge, after: 1) == [-1, -quarter, -(half - quarter)], "HEDGED, REDUCED, OUT in order")
        #expect(try hedge.venueSize() == -half, "short 0.5 x 3000 / 3090, rounded to the size step")
        let orders = try hedge.orders()
        #expect(Set(orders.dropFirst().map(\.decisionID)).count == 1, "one decision")
        let reasoning = try hedge.lastReasoning()
        let levels = ["Level: RIDING -> HEDGED at r=0.55", "Level: HEDGED -> REDUCED at r=0.55", "Level: REDUCED -> OUT at r=0.55"]
        let positions = levels.compactMap { reasoning.range(of: $0)?.lowerBound }
        #expect(positions.count == 3 && positions == positions.sorted(), "three Level: lines in order: \(reasoning)")
        try await hedge.checkLedger()
    }

    @Test("4. a shallow bounce recovers: HEDGED at 3150, 3130 (valley), 3170 (nothing), 3180 above the stop: RIDING, same cycle and swing")
    func shallowBounceRecovers() async throws {
        let hedge = try FibonacciHarness()
        await hedge.run(Self.mids(3000, 3200, 3150, 3130))
        let hedged = hedge.driver.state
        #expect(hedged.phase == .hedged, "r = 0.35 stays above the second level")
        #expect(hedged.valley == 3_130)
        let stop = FixedDecimal(3_130) + FixedDecimal(236, exponent: 3) * hedged.range
        #expect(hedged.trailingStop == stop, "3130 + 0.236 x range")
        #expect((stop - FixedDecimal(31_772, exponent: 1)).magnitude < FixedDecimal(1, exponent: 1), "about 3177.2")
        let ordersHedged = try hedge.orders().count

        await hedge.step(to: 3_170)
        #expect(hedge.driver.state.phase == .hedged)
        #expect(try hedge.orders().count == ordersHedged, "below the stop nothing trades")

        await hedge.step(to: 3_180)
        let state = hedge.driver.state
        #expect(state.phase == .riding && state.longLeg == 1 && state.shortLeg == 0)
        #expect(state.cycle == 1, "same cycle")
        #expect(state.swingLow == hedged.swingLow && state.swingHigh == hedged.swingHigh, "swing unchanged")
        #expect(state.trailingStop == nil)
        #expect(try Self.signedSizes(hedge, after: ordersHedged) == [Self.instrument.roundSize(FixedDecimal(3_000) / 3_180)])
        #expect(try hedge.lastReasoning().contains("from HEDGED: a shallow dip, back to RIDING"))
        try await hedge.checkLedger()
    }

    @Test("5. decline, trailing stop, new cycle: OUT at 3090, 2900 lowers the swing, 2960 nothing, 2975 closes the short and re-buys the long")
    func declineTrailingStopNewCycle() async throws {
        let hedge = try FibonacciHarness()
        await hedge.run(Self.mids(3000, 3200, 3090))
        #expect(hedge.driver.state.phase == .out)
        let ordersOut = try hedge.orders().count
        let short = try hedge.venueSize()

        await hedge.step(to: 2_900)
        let low = hedge.driver.state
        #expect(low.swingLow == 2_900 && low.range == 300 && low.valley == 2_900)
        #expect(low.trailingStop == FixedDecimal(29_708, exponent: 1), "2900 + 0.236 x 300")
        #expect(low.phase == .out && low.shortLeg == FixedDecimal(5, exponent: 1), "the legs go no lower than OUT")
        await hedge.step(to: 2_960)
        #expect(try hedge.orders().count == ordersOut, "nothing trades from OUT until the stop")

        await hedge.show(2_975)
        let account = await hedge.runner.accountState()
        await hedge.runner.decide()
        let state = hedge.driver.state
        let equity = FibonacciHarness.parameters.initialMargin + account.equity - FibonacciHarness.capital
        #expect(state.cycle == 2 && state.phase == .riding && state.longLeg == 1 && state.shortLeg == 0)
        #expect(state.swingLow == 2_900 && state.swingHigh == 2_975)
        #expect(state.baseNotional == (equity * 3).rounded(decimals: 6), "N from the strategy's equity")
        let long = Self.instrument.roundSize(state.baseNotional / 2_975)
        #expect(try Self.signedSizes(hedge, after: ordersOut) == [short.magnitude, long], "the short closed, then the long bought")
        #expect(try hedge.venueSize() == long)
        let closing = try #require(try hedge.fills().last { $0.side == .buy && $0.realizedPnl != .zero })
        #expect(closing.realizedPnl.isPositive, "the hedge made money: \(closing.realizedPnl)")
        #expect(try hedge.lastReasoning().contains("Cycle 2: hedge closed at 2975, long re-entered"))
        try await hedge.checkLedger()
    }

    @Test("6. restart: case 5 stopped after 2900 and restarted trades 2960 and 2975 exactly as without the restart")
    func restartAfterDecline() async throws {
        let uninterrupted = try FibonacciHarness()
        await uninterrupted.run(Self.mids(3000, 3200, 3090, 2900, 2960, 2975))

        var hedge = try FibonacciHarness()
        await hedge.run(Self.mids(3000, 3200, 3090, 2900))
        let before = hedge.driver.state
        hedge = try hedge.restarted()
        #expect(hedge.driver.state == before, "the persisted JSON restores the state exactly")
        await hedge.run(Self.mids(2960, 2975))

        #expect(hedge.driver.state == uninterrupted.driver.state)
        #expect(hedge.driver.state.cycle == 2)
        #expect(try hedge.orders().map(FibonacciHarness.summary) == uninterrupted.orders().map(FibonacciHarness.summary))
        #expect(try hedge.reasonings() == uninterrupted.reasonings())
        #expect(try hedge.venueSize() == uninterrupted.venueSize())
        try await hedge.checkLedger()
    }
}
