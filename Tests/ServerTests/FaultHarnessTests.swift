import ArenaTestSupport
import Foundation
import Testing

/// A short run of the fault harness (`arena-bench faults`): live accounts against the fake venue
/// with a fifth of the `/exchange` calls failing, then the venue and the ledger compared.
@Suite("Fault harness", .serialized)
struct FaultHarnessTests {
    @Test("with 20% of exchange calls faulted, no order is placed twice and the ledger holds every venue order with its true status and the venue's positions")
    func shortRun() async throws {
        let bench = try #require(builtProduct("arena-bench"), "arena-bench is not built beside the tests; run swift build --build-tests")
        let child = try ChildProcess(executable: bench, arguments: ["faults", "--seconds", "20", "--accounts", "3"],
                                     directory: packageRoot, errorOutput: .mergedIntoOutput)
        let status = await child.exited(timeout: .seconds(240))
        let output = child.output
        #expect(status == 0, "arena-bench faults failed:\n\(output.suffix(4_000))")
        let summaryLine = try #require(output.split(separator: "\n").last { $0.hasPrefix("{\"benchmark\": \"faults\"") },
                                       "no summary line:\n\(output.suffix(4_000))")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(summaryLine.utf8)) as? [String: Any])
        #expect(summary["violations"] as? Int == 0)
        #expect((summary["venue_orders"] as? Int ?? 0) > 10, "too few orders reached the venue to mean anything")
        let faults = summary["faults"] as? [String: Int] ?? [:]
        #expect(faults.values.reduce(0, +) > 0, "no fault was injected")
    }
}
