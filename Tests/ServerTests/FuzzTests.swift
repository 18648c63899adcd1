import ArenaTestSupport
import Foundation
import Testing

/// Schemathesis (from the test virtual environment) fuzzes a real `arena serve` from its own
/// `/openapi.json`, with an admin token so that the admin routes are reached: no answer may be a
/// 5xx, and every answer must match the schema documented for its status. `make test` runs this
/// suite alone, after the others, as it loads both cores for a while.
@Suite("The API under schemathesis", .serialized)
struct FuzzTests {
    /// Test cases per operation: enough to reach every parameter's edges in well under two minutes.
    static let examplesPerOperation = "12"

    @Test("schemathesis finds no server error and no answer that breaks the document")
    func schemathesisRun() async throws {
        let schemathesis = packageFile(".venv/bin/schemathesis")
        try #require(FileManager.default.isExecutableFile(atPath: schemathesis.path),
                     "schemathesis is missing from .venv: run make test, which installs Tests/requirements.txt into .venv")
        let token = "fuzz-token-\(UUID().uuidString)"
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "7", "--speed", "4"],
                                           environment: ["ARENA_ADMIN_TOKEN": token,
                                                         // A fuzzed switch to live must never reach the real venue.
                                                         "ARENA_HYPERLIQUID_TESTNET_URL": "http://127.0.0.1:9",
                                                         "ARENA_HYPERLIQUID_MAINNET_URL": "http://127.0.0.1:9"])
        defer { arena.terminate() }
        let reports = try TemporaryFolder(prefix: "schemathesis")
        var environment = ProcessInfo.processInfo.environment
        // No telemetry and no colour codes: the suite never talks to the internet.
        environment["SCHEMATHESIS_TELEMETRY"] = "false"
        environment["NO_COLOR"] = "1"
        let run = try ChildProcess(
            executable: schemathesis,
            arguments: ["run", arena.baseURL + "/openapi.json",
                        "--header", "Authorization: Bearer \(token)",
                        "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
                        "--exclude-path", "/ws/feed",
                        "--max-examples", Self.examplesPerOperation, "--seed", "17", "--workers", "2",
                        "--phases", "examples,coverage,fuzzing", "--request-timeout", "10",
                        "--report-dir", reports.path, "--no-color"],
            environment: environment, directory: reports.url, errorOutput: .mergedIntoOutput)
        let status = await run.exited(timeout: .seconds(300))
        if status == nil { run.terminate() }
        #expect(status == 0, "schemathesis failed:\n\(run.output.suffix(12_000))\narena log:\n\(arena.log.suffix(2_000))")
        #expect(run.output.contains("API Operations"), "schemathesis printed no summary:\n\(run.output.suffix(2_000))")
    }
}
