import ArenaCore
import ArenaTestSupportCore
@testable import Drivers
import Foundation
import Testing

/// The persisted driver states are written by JSONCore's `JSONTextEncoder`; stored states must stay
/// byte for byte what Foundation's JSONEncoder (`.sortedKeys`, slashes escaped) wrote before.
@Suite("Persisted driver states against Foundation's JSONEncoder")
struct PersistedStateEncodingTests {
    private static func foundation<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("the hedge's state through a whole cycle")
    func hedge() async throws {
        let hedge = try HedgeHarness()
        try await hedge.start()
        #expect(HedgeDriver.encode(hedge.driver.state) == (try Self.foundation(hedge.driver.state)))
        for unit in HedgeCycleTests.cycle {
            await hedge.move(toUnit: unit)
            let state = hedge.driver.state
            #expect(HedgeDriver.encode(state) == (try Self.foundation(state)), "unit \(unit)")
        }
        let stored = try #require(await hedge.driver.persistentState())
        #expect(stored == (try Self.foundation(hedge.driver.state)))
    }

    @Test("the Fibonacci hedge's state through swings")
    func fibonacci() async throws {
        let hedge = try FibonacciHarness()
        let mids: [FixedDecimal] = [3_000, 3_200, 3_090, 3_010, 2_950, 3_150, 3_300, FixedDecimal("3120.5")!, FixedDecimal("2800.25")!]
        for mid in mids {
            await hedge.run([mid])
            let state = hedge.driver.state
            #expect(FibonacciDriver.encode(state) == (try Self.foundation(state)), "mid \(mid)")
        }
    }

    /// The states list their members by hand (`JSONMembersWritable`): a state with every property
    /// set (optionals too, text that needs escaping) must show each one, as Foundation writes it.
    @Test("every property of a state, optionals set and text escaped, as Foundation writes it")
    func everyProperty() throws {
        let awkward = "filled 2/3 steps: \"short\" at 3,050.5 \u{7} é\nnext: — 🚀"
        var fibonacci = FibonacciState(symbol: Symbol("ETH")!)
        fibonacci.started = true
        fibonacci.phase = .reduced
        fibonacci.swingLow = FixedDecimal("2950.25")!
        fibonacci.swingHigh = FixedDecimal("3300.5")!
        fibonacci.valley = FixedDecimal("3010")!
        (fibonacci.longLeg, fibonacci.shortLeg) = FibonacciPhase.reduced.legs
        fibonacci.baseNotional = FixedDecimal("-1000.125")!
        fibonacci.cycle = 3
        fibonacci.levelReached = 2
        fibonacci.leverage = 5
        fibonacci.equityBaseline = FixedDecimal("10000.00001")!
        fibonacci.lastPrice = FixedDecimal("3120.5")!
        fibonacci.lastRetracement = FixedDecimal("0.618")!
        fibonacci.trailingStop = FixedDecimal("3097.75")!
        fibonacci.lastReconciliation = awkward
        try Self.expectComplete(fibonacci, FibonacciDriver.encode(fibonacci))

        var hedge = HedgeState(symbol: Symbol("BTC")!, unitSize: FixedDecimal("40.5")!, initialMargin: 1_000)
        hedge.started = true
        hedge.phase = .recovery
        hedge.retracementActions = [HedgeLegChange(unit: -1, longSize: FixedDecimal("-0.25")!, shortSize: FixedDecimal("0.125")!)]
        hedge.recoveryActions = [HedgeLegChange(unit: 2, longSize: 1, shortSize: 0), HedgeLegChange(unit: 3, longSize: 0, shortSize: -1)]
        hedge.resets = 1
        hedge.lastReconciliation = awkward
        let written = HedgeDriver.encode(hedge)
        try Self.expectComplete(hedge, written)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
        let action = try #require((object["recovery_actions"] as? [[String: Any]])?.first)
        #expect(jsonObject(action, coversEveryPropertyOf: hedge.recoveryActions[0]), "HedgeLegChange leaves a property out")
    }

    private static func expectComplete<T: Encodable>(_ value: T, _ written: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(written == (try foundation(value)), sourceLocation: sourceLocation)
        #expect(jsonObject(written, coversEveryPropertyOf: value), "\(T.self) leaves a property out", sourceLocation: sourceLocation)
    }
}
