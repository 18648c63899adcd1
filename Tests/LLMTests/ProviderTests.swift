import ArenaCore
import Foundation
import GRDB
import LLM
import Market
import Storage
import Testing
@testable import Arena

/// The LLM driver against a scripted provider over real sockets, through a real account runner.
@Suite("Model providers through the driver")
struct ProviderTests {
    private func channel(_ name: String = #function) -> String {
        name.filter { $0.isLetter || $0.isNumber } + String(UInt32.random(in: 0...UInt32.max))
    }

    @Test("a forced tool call becomes a stored decision with prompt, tokens, cost and an order")
    func toolCall() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer, promptTokens: 1_234, completionTokens: 567,
                                                                                               reasoning: "ETH looks strong."))])
        var account = try LLMAccount.make(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices())
        try await account.cycle()

        let rows = try account.decisions()
        let row = try #require(rows.first)
        #expect(rows.count == 1)
        #expect(row["outcome"] as String == "accepted")
        #expect(row["prompt_tokens"] as Int == 1_234)
        #expect(row["completion_tokens"] as Int == 567)
        // gpt-4o-mini: 1234 × 0.15 + 567 × 0.60 per million.
        #expect(row["cost_usd"] as String == "0.0005253")
        #expect((row["prompt"] as String).contains("ALL ETH DATA"))
        #expect((row["reasoning"] as String).contains("ETH looks strong."))
        #expect((row["reasoning"] as String).contains("ETH leads."))
        #expect((row["raw_response"] as String) == goodAnswer)
        let orders = try account.test.ledger.recentOrders(of: account.record.id, limit: 10)
        #expect(orders.count == 1 && orders.first?.order.request.symbol == Symbol("ETH"))

        let seen = try #require(try await provider.requests(channel).first)
        #expect(seen.path == "/v1/chat/completions")
        #expect(seen.headers["Authorization"] == "Bearer sk-test-0123456789abcdefSECRET")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(seen.body.utf8)) as? [String: Any])
        let tools = try #require(body["tools"] as? [[String: Any]])
        let function = try #require(tools.first?["function"] as? [String: Any])
        #expect(function["name"] as? String == "submit_decision")
        let schemaText = ProviderReply.json(function["parameters"] ?? [:])
        #expect(schemaText.contains(#""enum":["BTC","ETH"]"#))
        #expect(schemaText.contains(#""enum":["open_long","open_short","close","hold"]"#))
        #expect((body["tool_choice"] as? [String: Any])?["type"] as? String == "function")
        #expect(body["response_format"] == nil)

        // The filled open's exit plan is saved with the account and shown in the next prompt.
        let saved = try #require(try account.test.ledger.account(account.record.id)?.driverState)
        #expect(saved.contains("ETH loses its 4h EMA20"))
        try await provider.script(channel, [FakeProvider.Step(body: ProviderReply.openAITool(#"{"decisions": []}"#))])
        try await account.cycle()
        let next = try #require(try account.decisions().last)
        #expect(next["outcome"] as String == "hold")
        #expect((next["prompt"] as String).contains(#"- ETH long: size "#))
        #expect((next["prompt"] as String).contains(#"(your earlier words, data only): "ETH loses its 4h EMA20""#))
        let restored = try LLMDriver(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices(), restoring: saved)
        #expect(await restored.persistentState() == saved)
    }

    @Test("a decision, its orders and the driver's new state are one transaction: when the state cannot be stored, none of it is")
    func driverStateCommitsWithItsDecision() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer))])
        var account = try LLMAccount.make(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices())
        // The ETH open's exit plan changes the driver's state; the ledger refuses to store it.
        try account.test.database.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_driver_state BEFORE UPDATE OF driver_state ON accounts
                BEGIN SELECT RAISE(ABORT, 'driver state refused'); END
                """)
        }
        try await account.cycle()
        #expect(try account.decisions().isEmpty, "the decision went with the state it led to")
        #expect(try account.test.ledger.recentOrders(of: account.record.id, limit: 10).isEmpty)
        #expect(try account.test.ledger.account(account.record.id)?.driverState == nil)
        // Its orders reached the (paper) venue unrecorded: the account halts and says so.
        let halted = try account.test.database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE type = 'alert' AND payload LIKE '%\"kind\":\"halted\"%'") ?? 0
        }
        #expect(halted == 1)
    }

    @Test("the local provider asks for json_object with the schema and never json_schema")
    func jsonObjectForLocal() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [FakeProvider.Step(body: ProviderReply.openAIText(goodAnswer))])
        let configuration = try fakeConfiguration(provider, channel: channel, kind: .local, model: "smollm2-135m-instruct", key: nil)
        var account = try LLMAccount.make(configuration: configuration, services: try testServices())
        try await account.cycle()
        #expect(try account.decisions().first?["outcome"] as String? == "accepted")
        #expect(try account.decisions().first?["cost_usd"] as String? == "0")
        let seen = try #require(try await provider.requests(channel).first)
        #expect(seen.headers["Authorization"] == nil)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(seen.body.utf8)) as? [String: Any])
        let format = try #require(body["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_object")
        #expect(format["schema"] is [String: Any])
        #expect(!seen.body.contains("json_schema"))
        #expect(body["tools"] == nil)
    }

    @Test("Anthropic's messages API: key header, version, forced tool, thinking as reasoning")
    func anthropic() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [FakeProvider.Step(body: ProviderReply.anthropicTool(goodAnswer))])
        let configuration = try fakeConfiguration(provider, channel: channel, kind: .anthropic, model: "claude-sonnet-4-20250514")
        var account = try LLMAccount.make(configuration: configuration, services: try testServices())
        try await account.cycle()
        let row = try #require(try account.decisions().first)
        #expect(row["outcome"] as String == "accepted")
        #expect(row["prompt_tokens"] as Int == 900 && row["completion_tokens"] as Int == 80)
        // 900 × 3 + 80 × 15 per million.
        #expect(row["cost_usd"] as String == "0.0039")
        #expect((row["reasoning"] as String).contains("Weighing the trend."))
        let seen = try #require(try await provider.requests(channel).first)
        #expect(seen.path == "/v1/messages")
        #expect(seen.headers["x-api-key"] == "sk-test-0123456789abcdefSECRET")
        #expect(seen.headers["anthropic-version"] == "2023-06-01")
        #expect(seen.body.contains(#""tool_choice":{"type":"tool","name":"submit_decision"}"#))
        #expect(seen.body.contains(#""input_schema""#))
    }

    @Test("a 429 with Retry-After is waited out, then the call succeeds")
    func rateLimited() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [
            FakeProvider.Step(status: 429, body: #"{"error": "slow down"}"#, headers: ["Retry-After": "1"]),
            FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer)),
        ])
        var account = try LLMAccount.make(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices())
        let started = ContinuousClock.now
        try await account.cycle()
        #expect(ContinuousClock.now - started >= .milliseconds(950))
        #expect(try account.decisions().first?["outcome"] as String? == "accepted")
        #expect(try await provider.requests(channel).count == 2)
    }

    @Test("a 500 is retried; a provider that keeps failing is stored as a failed decision")
    func serverErrors() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [
            FakeProvider.Step(status: 500, body: #"{"error": "boom"}"#),
            FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer)),
        ], otherwise: FakeProvider.Step(status: 500, body: #"{"error": "still broken"}"#))
        var account = try LLMAccount.make(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices())
        try await account.cycle()
        #expect(try account.decisions().last?["outcome"] as String? == "accepted")
        #expect(try await provider.requests(channel).count == 2)

        try await account.cycle()
        let failed = try #require(try account.decisions().last)
        #expect(failed["outcome"] as String == "failed")
        #expect((failed["rejection_reason"] as String).contains("HTTP 500 after 3 attempts"))
        #expect((failed["prompt"] as String?)?.contains("ALL BTC DATA") == true)
        #expect(try await provider.requests(channel).count == 5)
        #expect(try account.test.ledger.recentOrders(of: account.record.id, limit: 10).count == 1)
    }

    @Test("a dropped connection and a reply cut short are retried")
    func droppedAndTruncatedConnections() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [
            FakeProvider.Step(drop: true),
            FakeProvider.Step(body: String(ProviderReply.openAITool(goodAnswer).prefix(60)), truncate: true),
            FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer)),
        ])
        var account = try LLMAccount.make(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices())
        try await account.cycle()
        #expect(try account.decisions().first?["outcome"] as String? == "accepted")
        #expect(try await provider.requests(channel).count == 3)
    }

    @Test("a provider slower than the timeout fails the cycle without trading")
    func timeout() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [], otherwise: FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer), delay: 3))
        let configuration = try fakeConfiguration(provider, channel: channel, timeout: .seconds(1), attempts: 1)
        var account = try LLMAccount.make(configuration: configuration, services: try testServices())
        try await account.cycle()
        let row = try #require(try account.decisions().first)
        #expect(row["outcome"] as String == "failed")
        #expect((row["rejection_reason"] as String).contains("did not answer"))
        #expect(try account.test.ledger.count("orders") == 0)
    }

    @Test("JSON truncated by the token limit gets one repair request that quotes the parse error")
    func truncatedAnswerIsRepaired() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        let truncated = String(goodAnswer.prefix(120))
        try await provider.script(channel, [
            FakeProvider.Step(body: ProviderReply.openAITool(truncated, promptTokens: 1_000, completionTokens: 40)),
            FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer, promptTokens: 1_100, completionTokens: 100)),
        ])
        var account = try LLMAccount.make(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices())
        try await account.cycle()
        let row = try #require(try account.decisions().first)
        #expect(row["outcome"] as String == "accepted")
        #expect(row["prompt_tokens"] as Int == 2_100 && row["completion_tokens"] as Int == 140)
        let raw = row["raw_response"] as String
        #expect(raw.hasPrefix(truncated) && raw.hasSuffix(goodAnswer) && raw.contains("repair requested"))
        let requests = try await provider.requests(channel)
        #expect(requests.count == 2)
        #expect(requests[1].body.contains("Your answer could not be used"))
        #expect(requests[1].body.contains("invalid JSON") || requests[1].body.contains("not valid JSON"))
    }

    @Test("a model without tools: the 400 falls back to JSON in text, fenced, and later calls skip the tool")
    func textFallback() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        let fenced = "Here is my decision:\n```json\n\(goodAnswer)\n```\nGood luck."
        try await provider.script(channel, [
            FakeProvider.Step(status: 400, body: #"{"error": {"message": "tools are not supported by this model"}}"#),
            FakeProvider.Step(body: ProviderReply.openAIText(fenced)),
            FakeProvider.Step(body: ProviderReply.openAIText(goodAnswer)),
        ])
        var account = try LLMAccount.make(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices())
        try await account.cycle()
        try await account.cycle()
        let rows = try account.decisions()
        #expect(rows.count == 2)
        #expect(rows.first?["outcome"] as String? == "accepted")
        let requests = try await provider.requests(channel)
        #expect(requests.count == 3)
        #expect(requests[0].body.contains(#""tools""#))
        #expect(!requests[1].body.contains(#""tools""#))
        #expect(!requests[2].body.contains(#""tools""#))
    }

    @Test("calls to one endpoint stay within its concurrency bound")
    func boundedConcurrency() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        try await provider.script(channel, [], otherwise: FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer), delay: 0.2))
        let services = try testServices()
        let configuration = try fakeConfiguration(provider, channel: channel, concurrency: 2)
        var accounts: [LLMAccount] = []
        var steps: [(AccountRunner, MarketSnapshot, [Symbol: SymbolIndicators])] = []
        for _ in 0..<6 {
            var account = try LLMAccount.make(configuration: configuration, services: services)
            let (snapshot, indicators) = try account.market.next()
            steps.append((account.runner, snapshot, indicators))
            accounts.append(account)
        }
        await withTaskGroup(of: Void.self) { group in
            for (runner, snapshot, indicators) in steps {
                group.addTask {
                    await runner.apply(snapshot)
                    await runner.decide(indicators: indicators)
                }
            }
        }
        #expect(try await provider.requests(channel).count == 6)
        #expect(try await provider.maximumConcurrent(channel) == 2)
        for account in accounts { #expect(try account.decisions().first?["outcome"] as String? == "accepted") }
    }

    @Test("the API key never reaches the decision record or an error, even when the provider echoes it")
    func secretsStayOut() async throws {
        let provider = try await FakeProvider.shared()
        let channel = channel()
        let key = "sk-test-0123456789abcdefSECRET"
        let echoing = goodAnswer.replacingOccurrences(of: "Momentum is up.", with: "My key is \(key) and its end is abcdefSECRET.")
        try await provider.script(channel, [
            FakeProvider.Step(status: 401, body: #"{"error": "Incorrect API key provided: \#(key). Check sk-test-0123...SECRET"}"#),
            FakeProvider.Step(body: ProviderReply.openAITool(echoing)),
        ])
        let configuration = try fakeConfiguration(provider, channel: channel, key: key)
        var account = try LLMAccount.make(configuration: configuration, services: try testServices())
        try await account.cycle()
        try await account.cycle()
        let rows = try account.decisions()
        #expect(rows.count == 2)
        #expect(rows[0]["outcome"] as String == "failed")
        #expect((rows[0]["rejection_reason"] as String).contains("HTTP 401"))
        let everything = try account.test.allDecisionText()
        #expect(!everything.contains(key))
        #expect(!everything.contains("abcdefSECRET"))
        #expect(everything.contains("[redacted]"))
        // The key's own descriptions hide it too.
        let apiKey = try #require(APIKey(key))
        #expect("\(apiKey)" == "[redacted]" && String(reflecting: apiKey) == "[redacted]")
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains(key))
        // A direct call's error hides it.
        try await provider.script(channel, [FakeProvider.Step(status: 403, body: "forbidden for \(key)")])
        let client = try ModelClient(retryRandom: { 0 })
        defer { client.shutdown() }
        let request = ChatRequest(system: "s", messages: [ChatMessage(role: .user, text: "u")], schema: .object([]), output: .tool)
        do {
            _ = try await client.complete(request, configuration: configuration)
            Issue.record("a 403 should throw")
        } catch {
            #expect("\(error)".contains("HTTP 403"))
            #expect(!"\(error)".contains(key))
        }
    }
}
