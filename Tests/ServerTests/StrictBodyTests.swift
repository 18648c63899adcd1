import Arena
import ArenaTestSupport
import Foundation
import Testing

/// Request bodies are strict (an unknown field is a 400 naming it) and response rows are stable
/// (every field present, `null` when unknown).
@Suite("Strict bodies and stable rows", .serialized)
struct StrictBodyTests {
    static let token = "test-admin-token-\(UUID().uuidString)"

    /// Each body type with one unknown field, and the path the refusal must name.
    static let unknownFields: [(String, String, String, String)] = [
        ("POST", "/api/accounts",
         #"{"name":"strict-1","driver":{"kind":"llm","provider":"openai","model":"gpt-4o-mini","api_key":"sk-should-not-pass"},"symbols":["BTC"],"initial_capital":"1000"}"#,
         "driver.api_key"),
        ("POST", "/api/accounts", #"{"name":"strict-2","nmae":"x","driver":{"kind":"buy_and_hold","symbol":"BTC"},"symbols":["BTC"],"initial_capital":"1000"}"#,
         "nmae"),
        ("POST", "/api/accounts",
         #"{"name":"strict-3","driver":{"kind":"buy_and_hold","symbol":"BTC"},"symbols":["BTC"],"initial_capital":"1000","risk_limits":{"max_levrage":3}}"#,
         "risk_limits.max_levrage"),
        ("PATCH", "/api/accounts/4", #"{"status":"active","colour":"red"}"#, "colour"),
        ("PATCH", "/api/accounts/4", #"{"driver":{"kind":"buy_and_hold","symbol":"BTC","apikey":"x"}}"#, "driver.apikey"),
        ("POST", "/api/accounts/4/orders", #"{"symbol":"BTC","side":"buy","size":"0.001","sise":"1"}"#, "sise"),
        ("POST", "/api/accounts/4/mode", #"{"mode":"live","network":"testnet","confirm":"x","force":true}"#, "force"),
        ("POST", "/api/kill-switch", #"{"close":true}"#, "close"),
    ]

    @Test("an unknown field in any request body is refused with a 400 that names it, and nothing changes")
    func unknownFieldsAreRefused() async throws {
        try await InProcessArena.run(adminToken: Self.token) { arena in
            for (method, path, body, field) in Self.unknownFields {
                let (status, reply) = try await arena.send(method, path, body: body, token: Self.token)
                #expect(status == 400, "\(method) \(path) with \(field) answered \(status): \(reply)")
                let message = reply["error"] as? String ?? ""
                #expect(message.contains("Unknown field \(field)"), "\(method) \(path): \(message)")
                #expect(!message.contains("sk-should-not-pass"))
            }
            let (_, list) = try await arena.getJSON("/api/accounts")
            let names = (list["accounts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(!names.contains { $0.hasPrefix("strict-") })
            #expect(try await arena.getJSON("/health").1["status"] as? String == "ok")
        }
    }

    @Test("a fresh leaderboard row has every field, null when not yet known")
    func freshRowHasEveryField() async throws {
        try await InProcessArena.run(adminToken: Self.token) { arena in
            let create = #"{"name":"fresh-row","driver":{"kind":"buy_and_hold","symbol":"ETH","interval_seconds":3600},"symbols":["ETH"],"initial_capital":"1000"}"#
            let (status, created) = try await arena.send("POST", "/api/accounts", body: create, token: Self.token)
            #expect(status == 201, "\(created)")
            // Optional fields of the account view are present too.
            #expect(created.keys.contains("risk_limits"))
            var row: [String: Any]?
            for _ in 0..<50 where row == nil {
                let (_, board) = try await arena.getJSON("/api/leaderboard")
                row = (board["entries"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "fresh-row" }
                if row == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let entry = try #require(row)
            for key in ["provider", "model", "win_rate", "biggest_win", "biggest_loss", "sharpe", "avg_risk_ratio", "hold_ratio",
                        "cost_per_return_pct"] {
                #expect(entry.keys.contains(key), "the row leaves out \(key)")
            }
            for key in ["provider", "model", "win_rate", "biggest_win", "biggest_loss"] {
                #expect(entry[key] is NSNull, "\(key) is \(String(describing: entry[key]))")
            }
        }
    }

    @Test("the roster file refuses an unknown field, naming its path")
    func rosterRefusesUnknownFields() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("roster.json").path
        let text = #"{"accounts":[{"name":"a","driver":{"kind":"buy_and_hold","symbol":"BTC","api_key":"x"},"symbols":["BTC"],"initial_capital":"1000"}]}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect { try Roster.load(path: path) } throws: { error in
            "\(error)".contains("accounts[0].driver.api_key")
        }
    }

    @Test("responses write nil optionals as null, stored JSON leaves them out")
    func explicitNulls() throws {
        struct Row: Encodable { let a: Int?; let b: [String: Double?]; let c: String }
        let row = Row(a: nil, b: ["x": nil], c: "c")
        #expect(try JSON.encodeResponse(row) == #"{"a":null,"b":{"x":null},"c":"c"}"#)
        #expect(try JSON.encode(row) == #"{"b":{"x":null},"c":"c"}"#)
    }
}
