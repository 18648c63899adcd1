import ArenaCore
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
}
