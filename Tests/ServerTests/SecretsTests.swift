import ArenaTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Secrets never leave the vault in plain text", .serialized)
struct SecretsTests {
    static let token = "secrets-admin-\(UUID().uuidString)"
    static let masterKey = (0..<32).map { String(format: "%02x", ($0 * 37 + 11) % 256) }.joined()
    static let apiKey = "sk-test-\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
    static let agentKey = "0x" + (0..<32).map { String(format: "%02x", ($0 * 13 + 7) % 256) }.joined()

    @Test("keys given through the API are absent from the database file, the log and every response")
    func grepEverywhere() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--speed", "4"],
                                     environment: ["ARENA_ADMIN_TOKEN": Self.token, "ARENA_MASTER_KEY": Self.masterKey])
        var responses: [String] = []
        func record(_ reply: (Int, [String: Any])) -> (Int, [String: Any]) {
            if let data = try? JSONSerialization.data(withJSONObject: reply.1) { responses.append(String(decoding: data, as: UTF8.self)) }
            return reply
        }
        // The model endpoint refuses connections: its calls fail, and their errors are recorded too.
        let body = #"""
            {"name":"keyed","driver":{"kind":"llm","provider":"openai","base_url":"http://127.0.0.1:9/v1","model":"gpt-test","interval_seconds":1},
             "symbols":["BTC"],"initial_capital":"1000",
             "secrets":{"llm_api_key":"\#(Self.apiKey)","hyperliquid_agent_key":"\#(Self.agentKey)"}}
            """#
        let (created, account) = record(try await arena.send("POST", "/api/accounts", body: body, token: Self.token))
        #expect(created == 201, "\(account)")
        let id = try #require(account["id"] as? Int)
        let secrets = account["secrets"] as? [[String: Any]] ?? []
        #expect(secrets.contains { $0["name"] as? String == "llm_api_key" && $0["set"] as? Bool == true })
        #expect(secrets.contains { $0["name"] as? String == "hyperliquid_agent_key" && ($0["address"] as? String)?.hasPrefix("0x") == true })
        try await Task.sleep(for: .seconds(4))
        for path in ["/api/accounts", "/api/leaderboard", "/api/models", "/api/accounts/\(id)", "/api/accounts/\(id)/decisions?limit=500",
                     "/api/accounts/\(id)/orders", "/api/feed?limit=5000", "/health"] {
            let reply = record(try await arena.getJSON(path))
            #expect(reply.0 == 200, "\(path)")
        }
        _ = record(try await arena.send("PATCH", "/api/accounts/\(id)", body: #"{"secrets":{"llm_api_key":"\#(Self.apiKey)"}}"#, token: Self.token))
        let decisions = try await arena.getJSON("/api/accounts/\(id)/decisions?limit=500").1["decisions"] as? [[String: Any]] ?? []
        #expect(decisions.contains { $0["outcome"] as? String == "failed" }, "the model calls should have been tried and failed")
        #expect(await arena.stop() == 0)

        var files: [String: Data] = [:]
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: arena.databasePath + suffix) { files["database\(suffix)"] = data }
        }
        #expect(files["database"] != nil)
        let rawAgentKey = Data((0..<32).map { UInt8(($0 * 13 + 7) % 256) })
        for secret in [Self.apiKey, Self.agentKey, String(Self.agentKey.dropFirst(2)), Self.masterKey] {
            #expect(!arena.log.contains(secret), "a secret is in the log")
            for response in responses { #expect(!response.contains(secret), "a secret is in an API response") }
            for (name, data) in files { #expect(data.range(of: Data(secret.utf8)) == nil, "a secret is in the \(name) file") }
        }
        for (name, data) in files { #expect(data.range(of: rawAgentKey) == nil, "the raw agent key is in the \(name) file") }
        // A control: the search does find what is stored in the clear.
        #expect(files.values.contains { $0.range(of: Data("keyed".utf8)) != nil })
    }

    @Test("a wrong master key stops start-up with a clear error")
    func wrongMasterKey() async throws {
        let first = try await ArenaProcess(arguments: ["--market", "sim"], environment: ["ARENA_MASTER_KEY": Self.masterKey])
        #expect(await first.stop() == 0)
        let wrong = String(Self.masterKey.reversed())
        var environment = ProcessInfo.processInfo.environment
        environment["ARENA_MASTER_KEY"] = wrong
        let second = try ChildProcess(executable: try #require(arenaExecutable),
                                      arguments: ["serve", "--port", "0", "--market", "sim", "--db", first.databasePath,
                                                  "--migrations", packageMigrations, "--static", packageFile("static").path],
                                      environment: environment, errorOutput: .mergedIntoOutput)
        let status = await second.exited()
        let output = second.output
        #expect(status != 0)
        #expect(output.lowercased().contains("master key"), "\(output)")
        #expect(!output.contains(wrong) && !output.contains(Self.masterKey))
    }
}
