import Foundation
import Testing

/// Paper realism through the admin API: set at creation, switched at run time, shown in
/// `/api/accounts` and the leaderboard, and a bad value refused without changing anything.
@Suite("Paper realism API")
struct PaperRealismAPITests {
    static let token = "test-admin-token-\(UUID().uuidString)"

    @Test("an account is created noisy, switched to venue and back, and shows its realism everywhere")
    func switchThroughAPI() async throws {
        try await InProcessArena.run(adminToken: Self.token, speed: 20) { arena in
            let create = #"{"name":"noisy-one","driver":{"kind":"buy_and_hold","symbol":"BTC"},"symbols":["BTC"],"initial_capital":"1000","realism":"noisy"}"#
            let (created, account) = try await arena.send("POST", "/api/accounts", body: create, token: Self.token)
            #expect(created == 201, "\(account)")
            #expect(account["realism"] as? String == "noisy")
            let id = try #require(account["id"] as? Int)

            let bad = #"{"name":"bad-one","driver":{"kind":"buy_and_hold","symbol":"BTC"},"symbols":["BTC"],"initial_capital":"1000","realism":"chaotic"}"#
            let (refused, reply) = try await arena.send("POST", "/api/accounts", body: bad, token: Self.token)
            #expect(refused == 400, "\(reply)")
            #expect((reply["error"] as? String)?.contains("realism must be venue (faithful to Hyperliquid) or noisy") == true, "\(reply)")

            func listed() async throws -> [String: Any]? {
                let (_, list) = try await arena.getJSON("/api/accounts")
                return (list["accounts"] as? [[String: Any]])?.first { $0["id"] as? Int == id }
            }
            #expect(try await listed()?["realism"] as? String == "noisy")
            // The demo roster's accounts are faithful.
            let (_, all) = try await arena.getJSON("/api/accounts")
            #expect((all["accounts"] as? [[String: Any]])?.filter { $0["id"] as? Int != id }.allSatisfy { $0["realism"] as? String == "venue" } == true)

            let (changed, updated) = try await arena.send("PATCH", "/api/accounts/\(id)", body: #"{"realism":"venue"}"#, token: Self.token)
            #expect(changed == 200, "\(updated)")
            #expect(updated["realism"] as? String == "venue")
            let (wrong, why) = try await arena.send("PATCH", "/api/accounts/\(id)", body: #"{"realism":"loud"}"#, token: Self.token)
            #expect(wrong == 400 && why["error"] is String)
            #expect(try await listed()?["realism"] as? String == "venue", "a refused change changes nothing")
            #expect(try await arena.send("PATCH", "/api/accounts/\(id)", body: #"{"realism":"noisy"}"#, token: Self.token).0 == 200)

            // The leaderboard line follows once the account has seen the market.
            var row: [String: Any]?
            for _ in 0..<50 where row == nil {
                let (_, board) = try await arena.getJSON("/api/leaderboard")
                row = (board["entries"] as? [[String: Any]])?.first { $0["account_id"] as? Int == id }
                if row == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(try #require(row)["realism"] as? String == "noisy")
        }
    }
}
