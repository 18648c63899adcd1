import ArenaTestSupport
import Foundation
import Testing

/// A short run of the crash harness (`arena-bench crash`): the real `arena serve` killed with
/// SIGKILL ten times while trading, restarted on the same database each time, the ledger's
/// invariants checked after every kill.
@Suite("Crash harness", .serialized)
struct CrashHarnessTests {
    @Test("ten SIGKILLs while trading leave every ledger invariant holding, and trading resumes after each restart")
    func tenKills() async throws {
        let bench = try #require(builtProduct("arena-bench"), "arena-bench is not built beside the tests; run swift build --build-tests")
        let child = try ChildProcess(executable: bench,
                                     arguments: ["crash", "--kills", "10", "--accounts", "6", "--max-ms", "800"],
                                     errorOutput: .mergedIntoOutput)
        let status = await child.exited(timeout: .seconds(300))
        let output = child.output
        #expect(status == 0, "arena-bench crash failed:\n\(output.suffix(4_000))")
        let summaryLine = try #require(output.split(separator: "\n").last { $0.hasPrefix("{\"benchmark\": \"crash\"") },
                                       "no summary line:\n\(output.suffix(4_000))")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(summaryLine.utf8)) as? [String: Any])
        #expect(summary["kills"] as? Int == 10)
        #expect((summary["fills"] as? Int ?? 0) > 0, "nothing traded")
        let invariants = try #require(summary["invariants"] as? [String: [String: Int]])
        for name in ["cash", "running_totals", "positions", "order_fills", "feed_seq"] {
            #expect(invariants[name]?["held"] == 10 && invariants[name]?["failed"] == 0, "\(name): \(invariants[name] ?? [:])")
        }
        #expect(invariants["trading_resumes"]?["failed"] == 0 && invariants["trading_resumes"]?["held"] == 10)
        #expect((invariants["resting_orders_live"]?["held"] ?? 0) + (invariants["resting_orders_live"]?["failed"] ?? 0) == 10)
    }
}
