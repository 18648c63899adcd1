import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The admin API, in process through the router; the token checks also run against the real
/// binary on a socket, where the log can be read.
@Suite("Admin API", .serialized)
struct AdminTests {
    static let token = "test-admin-token-\(UUID().uuidString)"

    /// Every mutating endpoint with a body that is valid for it.
    static let mutatingEndpoints: [(String, String, String?)] = [
        ("POST", "/api/accounts", #"{"name":"auth-probe","driver":{"kind":"buy_and_hold","symbol":"BTC"},"symbols":["BTC"],"initial_capital":"1000"}"#),
        ("PATCH", "/api/accounts/4", #"{"status":"active"}"#),
        ("POST", "/api/accounts/4/orders", #"{"symbol":"BTC","side":"buy","type":"market","size":"0.001"}"#),
        ("DELETE", "/api/accounts/4/orders/999999", nil),
        ("POST", "/api/accounts/4/close-all", nil),
        ("POST", "/api/accounts/4/mode", #"{"mode":"live","network":"testnet","confirm":"random-1"}"#),
        ("POST", "/api/kill-switch", #"{"close_positions":false,"reason":"auth probe"}"#),
        ("DELETE", "/api/kill-switch", nil),
        ("DELETE", "/api/accounts/5", nil),
    ]

    @Test("without a configured token every mutating endpoint is refused and reads stay open")
    func noTokenConfigured() async throws {
        try await InProcessArena.run { arena in
            for (method, path, body) in Self.mutatingEndpoints {
                let (status, reply) = try await arena.send(method, path, body: body, token: "anything")
                #expect(status == 403, "\(method) \(path) answered \(status)")
                #expect((reply["error"] as? String)?.contains("ARENA_ADMIN_TOKEN") == true)
            }
            #expect(try await arena.getJSON("/api/accounts").0 == 200)
            #expect(try await arena.getJSON("/api/leaderboard").0 == 200)
        }
    }

    @Test("with a token: none or a wrong one is 401, the right one passes, on every mutating endpoint")
    func authMatrix() async throws {
        // The venue is a closed local port: the switch to live is tried and refused by its preflight.
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--speed", "4"],
                                     environment: ["ARENA_ADMIN_TOKEN": Self.token, "ARENA_HYPERLIQUID_TESTNET_URL": "http://127.0.0.1:9"])
        defer { arena.terminate() }
        try await Task.sleep(for: .seconds(1))  // let the first market step arrive
        for (method, path, body) in Self.mutatingEndpoints {
            #expect(try await arena.send(method, path, body: body).0 == 401, "\(method) \(path) without a token")
            #expect(try await arena.send(method, path, body: body, token: Self.token + "x").0 == 401, "\(method) \(path) with a wrong token")
            #expect(try await arena.send(method, path, body: body, token: String(Self.token.dropLast())).0 == 401)
            let (status, reply) = try await arena.send(method, path, body: body, token: Self.token)
            #expect(status != 401 && status != 403, "\(method) \(path) with the right token answered \(status): \(reply)")
            #expect(status < 500, "\(method) \(path) failed: \(reply)")
        }
        #expect(!arena.log.contains(Self.token), "the admin token appeared in the log")
    }

    @Test("accounts are created, traded by hand, refused with reasons, closed and archived")
    func operatorFlow() async throws {
        try await InProcessArena.run(adminToken: Self.token, speed: 4) { arena in
            let create = #"{"name":"manual-1","driver":{"kind":"buy_and_hold","symbol":"ETH","interval_seconds":3600},"symbols":["ETH","BTC"],"initial_capital":"5000","risk_limits":{"max_leverage":3,"max_position_notional":"3000"}}"#
            let (created, account) = try await arena.send("POST", "/api/accounts", body: create, token: Self.token)
            #expect(created == 201, "\(account)")
            let id = try #require(account["id"] as? Int)
            #expect(try await arena.send("POST", "/api/accounts", body: create, token: Self.token).0 == 409)

            for bad in [#"{"name":"x"}"#, #"{"name":"x","driver":{"kind":"nope"},"symbols":["BTC"],"initial_capital":"100"}"#,
                        #"{"name":"x","driver":{"kind":"buy_and_hold","symbol":"BTC"},"symbols":["BTC"],"initial_capital":"-5"}"#, "not json"] {
                let (status, reply) = try await arena.send("POST", "/api/accounts", body: bad, token: Self.token)
                #expect(status == 400, "\(bad) answered \(status)")
                #expect(reply["error"] is String)
            }

            try await Task.sleep(for: .seconds(2))
            // A market order fills; the response holds the stored order with its slippage.
            let (placed, result) = try await arena.send("POST", "/api/accounts/\(id)/orders",
                                                        body: #"{"symbol":"BTC","side":"buy","type":"market","size":"0.01"}"#, token: Self.token)
            #expect(placed == 200, "\(result)")
            let order = try #require(result["order"] as? [String: Any])
            #expect(order["status"] as? String == "filled")
            #expect(order["origin"] as? String == "operator")
            #expect(order["slippage_bps"] is String)
            #expect(order["id"] is Int)

            // Refusals are stored with their reason and change nothing.
            let refusals = [
                (#"{"symbol":"SOL","side":"buy","type":"market","size":"1"}"#, "universe"),
                (#"{"symbol":"ETH","side":"buy","type":"market","size":"1"}"#, "limit of 3000"),
                (#"{"symbol":"ETH","side":"buy","type":"market","size":"0.001"}"#, "minimum value of $10"),
                (#"{"symbol":"BTC","side":"buy","type":"limit","size":"0.01","price":"1.234567"}"#, "tick size"),
            ]
            for (body, reason) in refusals {
                let (status, reply) = try await arena.send("POST", "/api/accounts/\(id)/orders", body: body, token: Self.token)
                #expect(status == 200)
                let refused = reply["order"] as? [String: Any]
                #expect(refused?["status"] as? String == "rejected", "\(body): \(reply)")
                #expect((refused?["rejection_reason"] as? String)?.contains(reason) == true, "\(body): \(reply)")
            }
            // A resting limit far from the market, then cancelled by id.
            let (_, resting) = try await arena.send("POST", "/api/accounts/\(id)/orders",
                                                    body: #"{"symbol":"BTC","side":"buy","type":"limit","size":"0.01","price":"50000"}"#, token: Self.token)
            let restingOrder = try #require(resting["order"] as? [String: Any])
            #expect(restingOrder["status"] as? String == "open", "\(resting)")
            let restingID = try #require(restingOrder["id"] as? Int)
            let (cancelled, cancelReply) = try await arena.send("DELETE", "/api/accounts/\(id)/orders/\(restingID)", token: Self.token)
            #expect(cancelled == 200)
            #expect((cancelReply["order"] as? [String: Any])?["status"] as? String == "canceled", "\(cancelReply)")
            #expect(try await arena.send("DELETE", "/api/accounts/\(id)/orders/\(restingID)", token: Self.token).0 == 409)

            // Close everything, then archive: the history stays readable.
            let (closed, closeReply) = try await arena.send("POST", "/api/accounts/\(id)/close-all", token: Self.token)
            #expect(closed == 200)
            #expect((closeReply["orders"] as? [[String: Any]])?.contains { $0["reduce_only"] as? Bool == true && $0["status"] as? String == "filled" } == true)
            let (positionsStatus, positions) = try await arena.getJSON("/api/accounts/\(id)/positions")
            #expect(positionsStatus == 200)
            #expect((positions["positions"] as? [Any])?.isEmpty == true)
            #expect(try await arena.send("DELETE", "/api/accounts/\(id)", token: Self.token).0 == 200)
            let (_, orders) = try await arena.getJSON("/api/accounts/\(id)/orders?limit=100")
            #expect(((orders["orders"] as? [Any])?.count ?? 0) >= 7)
            let (_, board) = try await arena.getJSON("/api/leaderboard")
            #expect((board["entries"] as? [[String: Any]])?.contains { $0["account_id"] as? Int == id } == false)
        }
    }

    @Test("the kill switch halts every account's new orders at once during a busy run, and closes positions when asked")
    func killSwitch() async throws {
        try await InProcessArena.run(adminToken: Self.token, speed: 8) { arena in
            for index in 0..<12 {
                let body = #"{"name":"busy-\#(index)","driver":{"kind":"random","seed":\#(index),"interval_seconds":1},"symbols":["BTC","ETH","SOL"],"initial_capital":"10000"}"#
                #expect(try await arena.send("POST", "/api/accounts", body: body, token: Self.token).0 == 201)
            }
            try await Task.sleep(for: .seconds(3))
            let (engaged, state) = try await arena.send("POST", "/api/kill-switch", body: #"{"close_positions":true,"reason":"test"}"#,
                                                        token: Self.token)
            #expect(engaged == 200)
            #expect(state["engaged"] as? Bool == true)
            let (_, feed) = try await arena.getJSON("/api/feed?limit=1")
            let afterSeq = try #require(feed["last_seq"] as? Int)
            try await Task.sleep(for: .seconds(3))
            // No position is open anywhere, and no order after the switch filled.
            for index in 1...17 {
                let (_, positions) = try await arena.getJSON("/api/accounts/\(index)/positions")
                #expect((positions["positions"] as? [Any])?.isEmpty == true, "account \(index) still holds \(positions)")
            }
            let (_, after) = try await arena.getJSON("/api/feed?after_seq=\(afterSeq)&limit=5000")
            let events = after["events"] as? [[String: Any]] ?? []
            #expect(!events.contains { $0["type"] as? String == "fill" }, "a fill happened after the kill switch")
            let refusedDecisions = events.filter {
                $0["type"] as? String == "decision" && (($0["data"] as? [String: Any])?["rejection_reason"] as? String)?.contains("kill switch") == true
            }
            #expect(!refusedDecisions.isEmpty, "no decision was refused by the kill switch")
            // Released, trading resumes.
            #expect(try await arena.send("DELETE", "/api/kill-switch", token: Self.token).0 == 200)
        }
    }
}
