import Arena
import ArenaCore
import GRDB
@testable import Drivers
import Testing

/// Restarts in every phase, refusals, partial fills and persistence of the Fibonacci hedge on the
/// paper exchange.
@Suite("Fibonacci hedge: restarts, refusals and persistence")
struct FibonacciCycleTests {
    struct RestartCase: Sendable, CustomTestStringConvertible {
        let phase: FibonacciPhase
        /// Mids up to the restart, which leave the hedge in `phase`.
        let before: [Int]
        /// Mids after it.
        let after: [Int]
        var testDescription: String { "restart in \(phase.rawValue)" }
    }

    static let restartCases = [
        RestartCase(phase: .riding, before: [3000, 3100], after: [3200, 3150, 3130, 3170, 3180]),
        RestartCase(phase: .hedged, before: [3000, 3200, 3150], after: [3130, 3170, 3180, 3250]),
        // 3120 is r = 0.40; 3050 takes OUT, 2950 lowers the swing, 3020 crosses the stop 2950 + 0.236 x 250.
        RestartCase(phase: .reduced, before: [3000, 3200, 3120], after: [3050, 2950, 3000, 3020]),
        RestartCase(phase: .out, before: [3000, 3200, 3090, 2900], after: [2960, 2975]),
    ]

    @Test("a runner rebuilt from the stored state continues exactly like an uninterrupted one", arguments: restartCases)
    func restart(_ restartCase: RestartCase) async throws {
        let mids = { (values: [Int]) in values.map { FixedDecimal($0) } }
        let uninterrupted = try FibonacciHarness()
        await uninterrupted.run(mids(restartCase.before + restartCase.after))

        var hedge = try FibonacciHarness()
        await hedge.run(mids(restartCase.before))
        let before = hedge.driver.state
        #expect(before.phase == restartCase.phase)
        hedge = try hedge.restarted()
        #expect(hedge.driver.state == before, "the persisted JSON restores the state exactly")
        #expect(await hedge.driver.persistentState() == FibonacciDriver.encode(before))
        for mid in mids(restartCase.after) {
            await hedge.step(to: mid)
            try await hedge.checkLedger("resumed, at \(mid)")
        }
        #expect(hedge.driver.state == uninterrupted.driver.state)
        #expect(try hedge.orders().map(FibonacciHarness.summary) == uninterrupted.orders().map(FibonacciHarness.summary))
        #expect(try hedge.reasonings() == uninterrupted.reasonings())
        #expect(try hedge.venueSize() == uninterrupted.venueSize())
        // Every path ends back in RIDING, through at least one hedge.
        #expect(hedge.driver.state.phase == .riding)
        #expect(try hedge.reasonings().contains { $0.contains("Level: RIDING -> HEDGED") })
    }

    @Test("an order the venue cannot fill is stored with its reason; the legs stay and the next update retries the step")
    func venueRefusalRetries() async throws {
        let hedge = try FibonacciHarness()
        await hedge.run([3_000, 3_200])
        await hedge.step(to: 3_150, book: .noBids)
        #expect(hedge.driver.state.phase == .riding && hedge.driver.state.longLeg == 1)
        #expect(try hedge.venueSize() == 1)
        let refused = try #require(try hedge.orders().last)
        #expect(refused.order.filledSize == 0 && refused.order.rejectionReason != nil)
        #expect(hedge.driver.state.lastReconciliation?.contains("retried at the next decision") == true)
        try await hedge.checkLedger()

        await hedge.step(to: 3_150)
        #expect(hedge.driver.state.phase == .hedged)
        #expect(try hedge.venueSize() == 0)
        #expect(try hedge.lastReasoning().contains("Level: RIDING -> HEDGED"))
        try await hedge.checkLedger()
    }

    @Test("a partly filled step does not advance the legs; the next update sells the rest")
    func partialFillRetries() async throws {
        let hedge = try FibonacciHarness()
        await hedge.run([3_000, 3_200])
        await hedge.step(to: 3_150, book: .thin(FixedDecimal(6, exponent: 1)))
        #expect(try hedge.venueSize() == FixedDecimal(4, exponent: 1), "the book held 0.6 of the 1 ETH")
        #expect(hedge.driver.state.phase == .riding)
        await hedge.step(to: 3_150)
        #expect(hedge.driver.state.phase == .hedged)
        #expect(try hedge.venueSize() == 0)
    }

    @Test("a gap the risk gate refuses is stored with its reason and leaves the legs where they were")
    func gateRefusalLeavesLegs() async throws {
        // The start is one order; the gap's three would make four within a minute.
        let hedge = try FibonacciHarness(limits: RiskLimits(max_leverage: 10, max_orders_per_minute: 3))
        await hedge.run([3_000, 3_200, 3_090])
        let state = hedge.driver.state
        #expect(state.phase == .riding && state.longLeg == 1 && state.shortLeg == 0, "no step taken")
        #expect(state.swingHigh == 3_200)
        #expect(try hedge.venueSize() == 1)
        #expect(try hedge.orders().count == 1)
        #expect(state.lastReconciliation?.contains("the risk gate refused it") == true)
        let reason = try hedge.test.database.read { db in
            try String.fetchOne(db, sql: "SELECT rejection_reason FROM decisions WHERE account_id = ? ORDER BY id DESC LIMIT 1",
                                arguments: [hedge.account.rawValue])
        }
        #expect(reason?.contains("Order rate limit") == true)
        try await hedge.checkLedger()
    }

    @Test("the persisted state is JSON with exact decimal strings and round-trips exactly")
    func persistence() async throws {
        let hedge = try FibonacciHarness()
        await hedge.run([3_000, 3_200, 3_090])
        let json = try #require(await hedge.driver.persistentState())
        #expect(json.contains("\"phase\":\"OUT\""))
        #expect(json.contains("\"swing_high\":\"3200\""))
        #expect(json.contains("\"short_leg\":\"0.5\""))
        let decoded = try FibonacciDriver.decode(json)
        #expect(decoded == hedge.driver.state)
        #expect(FibonacciDriver.encode(decoded) == json)
        #expect(throws: DriverError.self) {
            try FibonacciDriver(parameters: FibonacciParameters(symbol: Symbol("BTC")!, initialMargin: 1_000), persistedState: json)
        }
        #expect(throws: DriverError.self) {
            try FibonacciDriver(parameters: FibonacciHarness.parameters, persistedState: "{\"phase\":\"DOWN\"}")
        }
    }

    @Test("settings out of range are refused with the rule they break",
          arguments: [
            (FibonacciParameters(symbol: FibonacciHarness.eth, initialMargin: 5), "initial_margin"),
            (FibonacciParameters(symbol: FibonacciHarness.eth, initialMargin: 1_000, leverage: 0), "leverage"),
            (FibonacciParameters(symbol: FibonacciHarness.eth, initialMargin: 1_000, trailFraction: 0), "trail_fraction"),
            (FibonacciParameters(symbol: FibonacciHarness.eth, initialMargin: 1_000, levels: [FixedDecimal(5, exponent: 1), FixedDecimal(3, exponent: 1), FixedDecimal(7, exponent: 1)]), "increase"),
            (FibonacciParameters(symbol: FibonacciHarness.eth, initialMargin: 1_000, levels: [FixedDecimal(5, exponent: 1)]), "three"),
          ])
    func invalidParameters(_ parameters: FibonacciParameters, _ word: String) {
        #expect(parameters.problem?.contains(word) == true, "\(parameters.problem ?? "no problem")")
        #expect(throws: DriverError.self) { try FibonacciDriver(parameters: parameters) }
    }
}
