import ArenaCore
@testable import Drivers
import Testing

/// Whole cycles, restarts, partial fills, refusals and gaps of the four-phase hedge on the paper
/// exchange, with the ledger checked against the driver's legs.
@Suite("Four-phase hedge: cycles, restarts and reconciliation")
struct HedgeCycleTests {
    /// Units of a replayed path through a whole cycle: up to a peak of 3, a retracement of two units
    /// reversed back to the peak, a retracement through -5 into DECLINE, new valleys down to -4, a
    /// recovery reversed back into DECLINE, then a recovery through +5 to the RESET.
    static let cycle: [Int] = [1, 2, 3, 2, 1, 2, 3, 2, 1, 0, -1, -2, -3, -4, -3, -2, -3, -4, -3, -2, -1, 0, 1, 2]

    @Test("a whole cycle ADVANCE, RETRACEMENT, DECLINE, RECOVERY, RESET keeps the ledger equal to the legs at every step")
    func wholeCycle() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        try await hedge.checkLedger("after the start")
        var phases: [HedgePhase] = [hedge.driver.state.phase]
        for unit in Self.cycle {
            await hedge.move(toUnit: unit)
            let state = hedge.driver.state
            if phases.last != state.phase { phases.append(state.phase) }
            try await hedge.checkLedger("at unit \(unit)")
            if state.resets > 0 { break }
        }
        #expect(phases == [.advance, .retracement, .advance, .retracement, .decline, .recovery, .decline, .recovery, .advance])
        let state = hedge.driver.state
        #expect(state.resets == 1)
        #expect(state.shortSize.isZero)
        #expect(state.currentUnit == 0)
        let reasonings = try hedge.test.reasonings(of: hedge.account)
        #expect(reasonings.contains { $0.contains("RESET TRIGGERED") })
        #expect(reasonings.contains { $0.contains("Phase RETRACEMENT -> DECLINE") })
        #expect(reasonings.contains { $0.contains("Phase RECOVERY -> DECLINE") }, "the bounce inside RECOVERY was reversed")
        // The cycle continues after the reset.
        for unit in [1, 2, 1] {
            await hedge.move(toUnit: unit)
            try await hedge.checkLedger("new cycle, unit \(unit)")
        }
        #expect(hedge.driver.state.phase == .retracement)
    }

    @Test("a restart in the middle of a RETRACEMENT resumes the same state and continues like an uninterrupted run")
    func restartInRetracement() async throws {
        let path = [1, 2, 1, 0, -1]
        let rest = [-2, -1, -2, -3, -4, -5, -6]

        let uninterrupted = try HedgeHarness()
        try await uninterrupted.start()
        for unit in path + rest { await uninterrupted.move(toUnit: unit) }

        var hedge = try HedgeHarness()
        try await hedge.start()
        for unit in path { await hedge.move(toUnit: unit) }
        let beforeRestart = hedge.driver.state
        #expect(beforeRestart.phase == .retracement)
        #expect(beforeRestart.retracementActions.count == 3)

        hedge = try hedge.restarted()
        #expect(hedge.driver.state == beforeRestart, "the persisted JSON restores the state exactly")
        #expect(await hedge.driver.persistentState() == HedgeDriver.encode(beforeRestart))
        #expect(try hedge.venueSize() == beforeRestart.netSize)
        for unit in rest {
            await hedge.move(toUnit: unit)
            try await hedge.checkLedger("resumed, unit \(unit)")
        }
        #expect(hedge.driver.state == uninterrupted.driver.state)
        #expect(try hedge.venueSize() == uninterrupted.venueSize())
        #expect(try hedge.test.reasonings(of: hedge.account).suffix(rest.count)
            == uninterrupted.test.reasonings(of: uninterrupted.account).suffix(rest.count))
    }

    @Test("a partial fill scales every leg change by the filled share, and the reversal undoes exactly what filled")
    func partialFill() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        let start = hedge.driver.state
        let venueAtStart = try hedge.venueSize()
        // Sell 1 fragment long and open 1 fragment short: about 0.58 ETH net, against 0.35 ETH of bids.
        await hedge.move(toUnit: -1, book: .thin(FixedDecimal(35, exponent: 2)))
        let state = hedge.driver.state
        let fragment = start.positionFragment / hedge.price
        let requested = HedgeDriver.gridded(start.netSize - fragment * 2, instrument: Instrument.defaultInstrument(for: HedgeHarness.eth))
            - venueAtStart
        let fraction = FixedDecimal(-35, exponent: 2) / requested
        #expect(try hedge.venueSize() == venueAtStart - FixedDecimal(35, exponent: 2), "the venue sold only what the book held")
        #expect(state.phase == .retracement && state.currentUnit == -1)
        #expect((state.shortSize - fragment * fraction).magnitude < FixedDecimal(1, exponent: 4), "short scaled by the filled share")
        #expect((start.longSize - state.longSize - fragment * fraction).magnitude < FixedDecimal(1, exponent: 4))
        #expect(state.lastReconciliation?.contains("every leg change scaled") == true)
        try await hedge.checkLedger("after the partial fill")

        await hedge.move(toUnit: 0)
        let back = hedge.driver.state
        #expect(back.phase == .advance)
        #expect(back.longSize == start.longSize && back.shortSize.isZero)
        #expect(try hedge.venueSize() == venueAtStart)
        try await hedge.checkLedger("after the reversal")
    }

    @Test("a step that fills nothing is rolled back and retried at the next decision")
    func unfilledStepRollsBack() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        let start = hedge.driver.state
        let target = HedgeHarness.price(unit: -1, entry: start.entryPrice)
        await hedge.step(to: target, book: .noBids)
        let state = hedge.driver.state
        #expect(state.currentUnit == 0 && state.phase == .advance)
        #expect(state.longSize == start.longSize && state.shortSize.isZero && state.cash == start.cash)
        #expect(state.lastReconciliation?.contains("Rolled back") == true)
        let orders = try hedge.test.ledger.recentOrders(of: hedge.account, limit: 1)
        #expect(orders.first?.order.filledSize == .zero)
        try await hedge.checkLedger("after the unfilled step")

        await hedge.step(to: target)
        #expect(hedge.driver.state.currentUnit == -1 && hedge.driver.state.phase == .retracement)
        #expect(try hedge.lastReasoning().contains("Unit change: 0 -> -1"))
        try await hedge.checkLedger("after the retry")
    }

    @Test("a gap of several units is processed one unit at a time, in order, in one netted order")
    func gap() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        let start = hedge.driver.state
        let orders = try hedge.orderCount()
        await hedge.move(toUnit: -3)
        let state = hedge.driver.state
        let reasoning = try hedge.lastReasoning()
        let changes = ["Unit change: 0 -> -1", "Unit change: -1 -> -2", "Unit change: -2 -> -3"]
        let positions = changes.compactMap { reasoning.range(of: $0)?.lowerBound }
        #expect(positions.count == 3 && positions == positions.sorted(), "each unit logged, in order: \(reasoning)")
        #expect(reasoning.contains("Retracement -1:") && reasoning.contains("Retracement -2:") && reasoning.contains("Retracement -3:"))
        #expect(state.retracementActions.map(\.unit) == [-1, -2, -3])
        let fragment = start.positionFragment / hedge.price
        #expect((state.shortSize - fragment * 3).magnitude < FixedDecimal(1, exponent: 4), "1 + 1 + 1 fragments short")
        #expect((start.longSize - state.longSize - fragment * 5).magnitude < FixedDecimal(1, exponent: 4), "1 + 2 + 2 fragments sold")
        #expect(try hedge.orderCount() == orders + 1)
        try await hedge.checkLedger()

        // Back up in one jump: each action undone, newest first, and ADVANCE again.
        await hedge.move(toUnit: 0)
        let back = try hedge.lastReasoning()
        let undos = ["undo the action of unit -3", "undo the action of unit -2", "undo the action of unit -1"]
        let undoPositions = undos.compactMap { back.range(of: $0)?.lowerBound }
        #expect(undoPositions.count == 3 && undoPositions == undoPositions.sorted())
        #expect(hedge.driver.state.phase == .advance && hedge.driver.state.longSize == start.longSize)
        try await hedge.checkLedger()
    }

    @Test("the persisted state is JSON with exact decimal strings and round-trips exactly")
    func persistence() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        for unit in [1, 0, -1, -2] { await hedge.move(toUnit: unit) }
        let json = try #require(await hedge.driver.persistentState())
        #expect(json.contains("\"phase\":\"RETRACEMENT\""))
        #expect(json.contains("\"entry_price\":\"3450\""))
        #expect(json.contains("\"unit_size\":\"2\""))
        let decoded = try HedgeDriver.decode(json)
        #expect(decoded == hedge.driver.state)
        #expect(HedgeDriver.encode(decoded) == json)
        let rebuilt = try HedgeDriver(symbol: HedgeHarness.eth, unitSize: 2, initialMargin: 1_000, persistedState: json)
        #expect(rebuilt.state == decoded)
        #expect(throws: DriverError.self) {
            try HedgeDriver(symbol: Symbol("BTC")!, unitSize: 2, initialMargin: 1_000, persistedState: json)
        }
        #expect(throws: DriverError.self) {
            try HedgeDriver(symbol: HedgeHarness.eth, unitSize: 2, initialMargin: 1_000, persistedState: "{\"phase\":\"UP\"}")
        }
    }
}
