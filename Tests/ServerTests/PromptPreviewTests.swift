import Testing

/// `GET /api/accounts/{id}/prompt`: what an LLM account's next decision would send.
@Suite("Prompt preview")
struct PromptPreviewTests {
    static let token = "prompt-preview-token-0123456789abcdef"

    @Test("an LLM account's next prompts are shown to operators; unknown and rule-based accounts are refused")
    func preview() async throws {
        try await InProcessArena.run(adminToken: Self.token, speed: 4, models: true) { arena in
            // The model is never reached: the preview calls nothing.
            let create = #"{"name":"model-1","driver":{"kind":"llm","provider":"openai","model":"gpt-4o-mini","base_url":"http://127.0.0.1:9/v1","interval_seconds":3600},"symbols":["BTC","ETH"],"initial_capital":"10000"}"#
            let (created, account) = try await arena.send("POST", "/api/accounts", body: create, token: Self.token)
            #expect(created == 201, "\(account)")
            let id = try #require(account["id"] as? Int)
            try await Task.sleep(for: .seconds(1))

            #expect(try await arena.send("GET", "/api/accounts/\(id)/prompt").0 == 401)
            let (status, prompt) = try await arena.send("GET", "/api/accounts/\(id)/prompt", token: Self.token)
            #expect(status == 200, "\(prompt)")
            #expect(prompt["account_id"] as? Int == id)
            #expect((prompt["system"] as? String)?.contains(#"managing the account "model-1""#) == true)
            #expect((prompt["system"] as? String)?.contains("size_unit") == true)
            #expect((prompt["user"] as? String)?.contains("ALL BTC DATA") == true)
            #expect((prompt["user"] as? String)?.contains("Decide now.") == true)

            let (unknown, missing) = try await arena.send("GET", "/api/accounts/999/prompt", token: Self.token)
            #expect(unknown == 404 && missing["error"] is String)
            // Account 1 of the demo roster holds BTC by rule.
            let (ruleBased, refusal) = try await arena.send("GET", "/api/accounts/1/prompt", token: Self.token)
            #expect(ruleBased == 409)
            #expect((refusal["error"] as? String)?.contains("only llm accounts") == true, "\(refusal)")
        }
    }
}
