import ArenaCore
import Drivers
import Testing

/// The six acceptance cases of `specs/hedge-4phase.md` (seed 002), each driven through scripted
/// prices on the paper exchange by a real account runner, risk gate and ledger.
@Suite("Four-phase hedge: acceptance cases")
struct HedgeAcceptanceTests {
    struct UnitCase: Sendable, CustomTestStringConvertible {
        let price: FixedDecimal
        let unit: Int
        var testDescription: String { "\(price) gives unit \(unit)" }
    }

    @Test("1. units truncate toward zero from entry 3450 with unit 2, and only a change of unit is logged",
          arguments: [UnitCase(price: FixedDecimal(345_250, exponent: 2), unit: 1),
                      UnitCase(price: FixedDecimal(344_750, exponent: 2), unit: -1),
                      UnitCase(price: FixedDecimal(345_150, exponent: 2), unit: 0)])
    func unitChanges(_ unitCase: UnitCase) async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        #expect(hedge.driver.state.currentUnit == 0)
        await hedge.step(to: unitCase.price)
        #expect(hedge.driver.state.currentUnit == unitCase.unit)
        let reasoning = try hedge.lastReasoning()
        if unitCase.unit == 0 {
            #expect(!reasoning.contains("Unit change"))
            #expect(reasoning.contains("no unit change"))
        } else {
            #expect(reasoning.contains("Unit change: 0 -> \(unitCase.unit)"))
        }
        try await hedge.checkLedger()
    }

    @Test("2. ADVANCE with peak 3 falling to unit 2 sells 1 fragment, shorts 1 fragment and enters RETRACEMENT")
    func enterRetracement() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        for unit in 1...3 { await hedge.move(toUnit: unit) }
        let atPeak = hedge.driver.state
        #expect(atPeak.phase == .advance)
        #expect(atPeak.peakUnit == 3)
        // The fragment follows the long leg's value at the new high.
        #expect(atPeak.positionFragment == (atPeak.longSize * hedge.price * FixedDecimal(1, exponent: 1)).rounded(decimals: 6))
        let orders = try hedge.orderCount()

        await hedge.move(toUnit: 2)
        let state = hedge.driver.state
        #expect(state.phase == .retracement)
        #expect(state.currentUnit == 2)
        #expect(state.peakUnit == 3)
        let fragment = atPeak.positionFragment / hedge.price
        #expect((state.shortSize - fragment).magnitude < FixedDecimal(1, exponent: 4))
        #expect((atPeak.longSize - state.longSize - fragment).magnitude < FixedDecimal(1, exponent: 4))
        #expect(try hedge.orderCount() == orders + 1, "the two legs are netted into one order")
        let reasoning = try hedge.lastReasoning()
        #expect(reasoning.contains("Unit change: 3 -> 2"))
        #expect(reasoning.contains("Phase ADVANCE -> RETRACEMENT"))
        #expect(reasoning.contains("sell long") && reasoning.contains("open short"))
        try await hedge.checkLedger()
    }

    @Test("3. RETRACEMENT at -3 going to -4 and back to -3 trades the -4 legs, then exactly their inverse")
    func retracementAndReversal() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        for unit in [-1, -2, -3] { await hedge.move(toUnit: unit) }
        let atThree = hedge.driver.state
        #expect(atThree.phase == .retracement)
        #expect(atThree.currentUnit == -3)
        let venueAtThree = try hedge.venueSize()

        await hedge.move(toUnit: -4)
        let atFour = hedge.driver.state
        let fragment = atThree.positionFragment / hedge.price
        #expect((atThree.longSize - atFour.longSize - fragment * 2).magnitude < FixedDecimal(1, exponent: 4), "sold 2 fragments")
        #expect((atFour.shortSize - atThree.shortSize - fragment).magnitude < FixedDecimal(1, exponent: 4), "added 1 fragment short")
        #expect(try hedge.lastReasoning().contains("Retracement -4: sell long"))
        try await hedge.checkLedger()
        let venueAtFour = try hedge.venueSize()

        await hedge.move(toUnit: -3)
        let back = hedge.driver.state
        #expect(back.phase == .retracement)
        #expect(back.currentUnit == -3)
        #expect(back.longSize == atThree.longSize, "the long leg is back where it was")
        #expect(back.shortSize == atThree.shortSize, "the short leg is back where it was")
        #expect(back.retracementActions == atThree.retracementActions)
        #expect(try hedge.venueSize() == venueAtThree)
        // The -4 step crossed zero (a close and a reopen); its reversal crosses back. Net per decision:
        var netByDecision: [Int64: FixedDecimal] = [:]
        for stored in try hedge.test.ledger.recentOrders(of: hedge.account, limit: 10) {
            guard let decision = stored.decisionID else { continue }
            let signed = stored.order.request.side == .buy ? stored.order.filledSize : -stored.order.filledSize
            netByDecision[decision, default: .zero] += signed
        }
        let lastTwo = netByDecision.keys.sorted().suffix(2).compactMap { netByDecision[$0] }
        #expect(lastTwo == [venueAtFour - venueAtThree, venueAtThree - venueAtFour], "the -4 legs, then exactly their inverse")
        let reasoning = try hedge.lastReasoning()
        #expect(reasoning.contains("Reversal: undo the action of unit -4: buy back long"))
        #expect(reasoning.contains("cover short"))
        try await hedge.checkLedger()
    }

    @Test("4. RECOVERY mostly long with a small short: the final cover and buy make it all long and RESET")
    func reset() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        for unit in stride(from: -1, through: -5, by: -1) { await hedge.move(toUnit: unit) }
        #expect(hedge.driver.state.phase == .decline)
        for unit in [-4, -3, -2, -1] { await hedge.move(toUnit: unit) }
        let before = hedge.driver.state
        #expect(before.phase == .recovery)
        let total = before.longValue + before.shortValue + before.cash.magnitude
        #expect(before.longValue / total > FixedDecimal(80, exponent: 2), "mostly long: \(before.longValue) of \(total)")
        #expect(before.shortSize.isPositive && before.shortValue / total < FixedDecimal(20, exponent: 2), "a small short")
        #expect(before.cash.magnitude / total < FixedDecimal(5, exponent: 2))
        try await hedge.checkLedger()

        await hedge.move(toUnit: 0)
        let state = hedge.driver.state
        let reasoning = try hedge.lastReasoning()
        #expect(reasoning.contains("Recovery +5: cover the rest of the short"))
        #expect(reasoning.contains("RESET TRIGGERED"))
        #expect(state.phase == .advance)
        #expect(state.currentUnit == 0 && state.peakUnit == 0 && state.valleyUnit == 0)
        #expect(state.shortSize.isZero)
        #expect(state.resets == 1)
        #expect(state.entryPrice == hedge.price)
        #expect(state.retracementActions.isEmpty && state.recoveryActions.isEmpty)
        #expect(try hedge.venueSize() == state.longSize, "the venue holds only the long leg")
        #expect(state.currentPositionAllocation == (state.virtualEquity(at: hedge.price) / 10).rounded(decimals: 6))
        try await hedge.checkLedger()
    }

    @Test("5. beyond -5 from the peak, further falls trade nothing and move the valley to each new low")
    func decline() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        for unit in stride(from: -1, through: -5, by: -1) { await hedge.move(toUnit: unit) }
        let entered = hedge.driver.state
        #expect(entered.phase == .decline)
        #expect(entered.valleyUnit == -5)
        #expect(entered.longSize.isZero, "the whole long was sold into the short")
        let orders = try hedge.orderCount()
        for unit in [-6, -7, -8] {
            await hedge.move(toUnit: unit)
            let state = hedge.driver.state
            #expect(state.phase == .decline)
            #expect(state.valleyUnit == unit)
            #expect(state.shortSize == entered.shortSize && state.longSize == entered.longSize)
            #expect(try hedge.lastReasoning().contains("New valley at unit \(unit): no trade."))
        }
        #expect(try hedge.orderCount() == orders, "no trade in DECLINE")
        try await hedge.checkLedger()
    }

    @Test("6. DECLINE with valley -15 recovering to -9: RECOVERY from -13, actions +2 to +5 in order, then RESET")
    func fullRecovery() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        for unit in stride(from: -1, through: -15, by: -1) { await hedge.move(toUnit: unit) }
        let bottom = hedge.driver.state
        #expect(bottom.phase == .decline && bottom.valleyUnit == -15)
        let firstDecision = try hedge.test.reasonings(of: hedge.account).count

        await hedge.move(toUnit: -14)
        #expect(hedge.driver.state.phase == .decline)
        let hedgeFragment = hedge.driver.state.hedgeFragment
        #expect(hedgeFragment == (bottom.shortSize * hedge.price / 4).rounded(decimals: 6), "25% of the short's value")

        var phases: [HedgePhase] = []
        for unit in [-13, -12, -11, -10] {
            let before = hedge.driver.state
            await hedge.move(toUnit: unit)
            phases.append(hedge.driver.state.phase)
            if unit > -10 {
                let covered = before.shortSize - hedge.driver.state.shortSize
                #expect((covered - hedgeFragment / hedge.price).magnitude < FixedDecimal(1, exponent: 4), "covers 1 hedge fragment")
            }
            try await hedge.checkLedger("at unit \(unit)")
        }
        #expect(phases == [.recovery, .recovery, .recovery, .advance])
        let reasonings = Array(try hedge.test.reasonings(of: hedge.account).dropFirst(firstDecision))
        #expect(reasonings.count == 5)
        if reasonings.count == 5 {
            #expect(reasonings[1].contains("Phase DECLINE -> RECOVERY") && reasonings[1].contains("Recovery +2:"))
            #expect(reasonings[2].contains("Recovery +3:"))
            #expect(reasonings[3].contains("Recovery +4:"))
            #expect(reasonings[4].contains("Recovery +5:") && reasonings[4].contains("RESET TRIGGERED"))
        }
        let state = hedge.driver.state
        #expect(state.resets == 1 && state.currentUnit == 0 && state.shortSize.isZero)

        // -9 of the old cycle is +1 of the new one, which started at the price of -10.
        await hedge.step(to: HedgeHarness.price(unit: -9, entry: bottom.entryPrice))
        #expect(hedge.driver.state.phase == .advance && hedge.driver.state.peakUnit == 1, "a new cycle runs from the reset price")
        try await hedge.checkLedger()
    }
}
