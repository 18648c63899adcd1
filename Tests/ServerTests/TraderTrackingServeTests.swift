import ArenaTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The Python fake venue (`Tests/Fixtures/hyperliquid/fake_exchange.py`) for `arena serve` as a
/// subprocess: its market data, other users' accounts, the public tape and fills by time. (The
/// Swift-side helper with the exchange's controls is in ArenaTests; this one only scripts traders.)
final class TraderVenue: Sendable {
    let child: ChildProcess
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() async throws {
        let python = packageFile(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw ArenaProcessError(description: "\(python.path) is missing: run make venv-hyperliquid")
        }
        child = try ChildProcess(executable: python, arguments: [packageFile("Tests/Fixtures/hyperliquid/fake_exchange.py").path,
                                                                 "--port", "0", "--network", "mainnet"], errorOutput: .inherited)
        let line = await child.waitForLine(timeout: .seconds(120)) ?? child.output
        guard line.hasPrefix("listening "), let port = Int(line.dropFirst("listening ".count)) else {
            throw ArenaProcessError(description: "the fake venue did not start (said: \(line))")
        }
        self.port = port
    }

    /// Sends a control command; returns the fake's state.
    @discardableResult
    func control(_ command: [String: Any]) async throws -> [String: Any] {
        var request = URLRequest(url: try #require(URL(string: baseURL + "/control")))
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: command)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func setTrader(_ address: String, accountValue: String, positions: [String: (String, String)]) async throws {
        try await control(["set_trader": ["address": address, "account_value": accountValue,
                                          "positions": positions.mapValues { ["szi": $0.0, "entryPx": $0.1] }]])
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(200))
    }
    return false
}

@Suite("arena serve tracks real traders", .serialized)
struct TraderTrackingServeTests {
    static let token = "traders-token-\(UUID().uuidString)"
    static let known = "0x" + String(repeating: "1a", count: 20)
    static let counterparty = "0x" + String(repeating: "2b", count: 20)

    static func traders(_ arena: ArenaProcess, _ query: String = "") async throws -> [[String: Any]] {
        let (status, body) = try await arena.getJSON("/api/traders" + query)
        #expect(status == 200)
        return body["traders"] as? [[String: Any]] ?? []
    }

    static func trader(_ arena: ArenaProcess, _ address: String) async throws -> [String: Any]? {
        try await traders(arena, "?limit=1000").first { $0["address"] as? String == address }
    }

    static func events(_ arena: ArenaProcess, _ id: Int) async throws -> [[String: Any]] {
        (try await arena.getJSON("/api/traders/\(id)/events")).1["events"] as? [[String: Any]] ?? []
    }

    @Test("discovers traders on the tape, tracks their positions into events, and a restart repeats none")
    func discoverTrackRestart() async throws {
        let venue = try await TraderVenue()
        try await venue.setTrader(Self.known, accountValue: "1000", positions: ["BTC": ("0.5", "65000")])
        try await venue.control(["add_trades": [["coin": "BTC", "users": [Self.known, Self.counterparty]]]])
        let arguments = ["--market", "hyperliquid:\(venue.baseURL)", "--traders-coins", "BTC,ETH",
                         "--traders-discover-seconds", "2", "--traders-track-seconds", "1"]
        var arena: ArenaProcess? = try await ArenaProcess(arguments: arguments, environment: ["ARENA_ADMIN_TOKEN": Self.token])
        let first = try #require(arena)
        defer { arena?.terminate() }
        #expect(try await eventually { try await Self.trader(first, Self.known)?["last_tracked"] is Int })
        let known = try #require(try await Self.trader(first, Self.known))
        #expect(known["source"] as? String == "discovered")
        #expect((known["positions"] as? [[String: Any]])?.first?["side"] as? String == "long")
        let id = try #require(known["id"] as? Int)
        // The counterparty never traded at this venue's books: userRole says missing.
        #expect(try await eventually { try await Self.trader(first, Self.counterparty)?["active"] as? Bool == false })
        #expect((try await Self.trader(first, Self.counterparty)?["deactivated_reason"] as? String)?.contains("missing") == true)

        try await venue.setTrader(Self.known, accountValue: "1000", positions: ["BTC": ("0.8", "65200")])
        #expect(try await eventually { try await Self.events(first, id).contains { $0["kind"] as? String == "INCREASE" } })
        try await venue.setTrader(Self.known, accountValue: "900", positions: ["BTC": ("-0.2", "64000")])
        #expect(try await eventually { try await Self.events(first, id).contains { $0["kind"] as? String == "FLIP" } })
        let (_, list) = try await first.getJSON("/api/traders")
        let tracking = try #require(list["tracking"] as? [String: Any])
        #expect(tracking["enabled"] as? Bool == true)
        #expect(try await eventually { ((try await first.getJSON("/api/traders")).1["tracking"] as? [String: Any])?["achieved_cadence_seconds"] is Double })
        #expect(first.log.contains("trader tracking pass"))
        let before = try await Self.events(first, id)
        #expect(before.allSatisfy { $0["source"] as? String == "poll" && $0["address"] as? String == Self.known })
        // Every stored event was published on the feed as a trader_event with the same data.
        var published: [[String: Any]] = []
        var cursor = 0
        while true {
            let page = try await first.getJSON("/api/feed?after_seq=\(cursor)&limit=5000").1
            published += (page["events"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "trader_event" }
                .compactMap { $0["data"] as? [String: Any] }
            cursor = page["next_after_seq"] as? Int ?? cursor
            if page["more"] as? Bool != true { break }
        }
        let publishedIDs = Set(published.filter { $0["trader_id"] as? Int == id }.compactMap { $0["id"] as? Int })
        #expect(Set(before.compactMap { $0["id"] as? Int }).isSubset(of: publishedIDs) && !publishedIDs.isEmpty)

        // Down, the trader closes; back up, the gap is filled from fills and nothing repeats.
        _ = await first.stop()
        let database = first.databasePath
        arena = nil
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await venue.control(["add_fills": ["address": Self.known, "fills": [
            ["coin": "BTC", "side": "B", "px": "64500", "sz": "0.2", "time": now, "startPosition": "-0.2", "closedPnl": "-100"]]]])
        try await venue.setTrader(Self.known, accountValue: "800", positions: [:])
        let second = try await ArenaProcess(arguments: arguments, environment: ["ARENA_ADMIN_TOKEN": Self.token], database: database)
        defer { second.terminate() }
        #expect(try await eventually { try await Self.events(second, id).contains { $0["kind"] as? String == "CLOSE" } })
        try await Task.sleep(for: .seconds(2))
        let after = try await Self.events(second, id)
        #expect(after.count == before.count + 1)
        #expect(after.first?["source"] as? String == "fills")
        #expect(Set(after.compactMap { $0["id"] as? Int }).count == after.count)
    }

    @Test("the API filters, sorts and pages traders; bad input gets a 400 that says why; admins add and drop traders")
    func api() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim"], environment: ["ARENA_ADMIN_TOKEN": Self.token])
        defer { arena.terminate() }
        #expect(arena.log.contains("trader tracking off"))
        let (status, body) = try await arena.getJSON("/api/traders")
        #expect(status == 200 && body["total"] as? Int == 0 && body["sort"] as? String == "account_value" && body["order"] as? String == "desc")
        let tracking = try #require(body["tracking"] as? [String: Any])
        #expect(tracking["enabled"] as? Bool == false && (tracking["reason"] as? String)?.contains("not Hyperliquid") == true)

        let address = "0x" + String(repeating: "3c", count: 20)
        #expect(try await arena.send("POST", "/api/traders/\(address)/track").0 == 401)
        let (created, trader) = try await arena.send("POST", "/api/traders/\(address.uppercased().replacingOccurrences(of: "0X", with: "0x"))/track", token: Self.token)
        #expect(created == 201 && trader["address"] as? String == address && trader["source"] as? String == "operator")
        #expect(try await arena.send("POST", "/api/traders/\(address)/track", token: Self.token).0 == 200)
        let other = "0x" + String(repeating: "4d", count: 20)
        #expect(try await arena.send("POST", "/api/traders/\(other)/track", token: Self.token).0 == 201)
        for (path, reason) in [("/api/traders/0x12/track", "40"), ("/api/traders/0x" + String(repeating: "z", count: 40) + "/track", "0-9 and a-f"),
                               ("/api/traders/abc/track", "0x")] {
            let (code, error) = try await arena.send("POST", path, token: Self.token)
            #expect(code == 400 && (error["error"] as? String)?.contains(reason) == true, "\(path): \(code) \(error)")
        }
        for query in ["?sort=height", "?order=up", "?active=yes", "?limit=0", "?limit=1001", "?offset=-1", "?colour=red"] {
            let (code, error) = try await arena.getJSON("/api/traders" + query)
            #expect(code == 400 && error["error"] is String, "\(query) answered \(code)")
        }
        let page = try await arena.getJSON("/api/traders?sort=first_seen&order=asc&limit=1&offset=1").1
        #expect(page["total"] as? Int == 2 && (page["traders"] as? [[String: Any]])?.first?["address"] as? String == other)
        let id = try #require(trader["id"] as? Int)
        let one = try await arena.getJSON("/api/traders/\(id)")
        #expect(one.0 == 200 && one.1["address"] as? String == address)
        let metrics = try #require(one.1["metrics"] as? [String: Any])
        #expect(metrics["total_volume"] as? String == "0" && metrics.keys.contains("win_rate") && one.1["followers"] as? [Int] == [])
        #expect(try await arena.getJSON("/api/traders/999999").0 == 404)
        #expect(try await arena.getJSON("/api/traders/abc").0 == 400)
        #expect(try await arena.getJSON("/api/traders/\(id)/events").1["events"] as? [Any] != nil)
        #expect(try await arena.getJSON("/api/traders/\(id)/events?limit=0").0 == 400)

        let (dropped, stopped) = try await arena.send("DELETE", "/api/traders/\(address)", token: Self.token)
        #expect(dropped == 200 && stopped["active"] as? Bool == false && stopped["deactivated_reason"] is String)
        #expect(try await arena.getJSON("/api/traders?active=true").1["total"] as? Int == 1)
        #expect(try await arena.getJSON("/api/traders?active=false").1["total"] as? Int == 1)
        #expect(try await arena.send("DELETE", "/api/traders/0x" + String(repeating: "5e", count: 20), token: Self.token).0 == 404)

        // The leaderboard: accounts, traders, or both, each row saying which.
        #expect(try await eventually { ((try await arena.getJSON("/api/leaderboard?kind=account")).1["entries"] as? [Any])?.isEmpty == false })
        let accounts = (try await arena.getJSON("/api/leaderboard?kind=account")).1["entries"] as? [[String: Any]] ?? []
        #expect(accounts.allSatisfy { $0["kind"] as? String == "account" })
        let traders = (try await arena.getJSON("/api/leaderboard?kind=trader")).1["entries"] as? [[String: Any]] ?? []
        #expect(traders.count == 2 && traders.allSatisfy { $0["kind"] as? String == "trader" && $0["trader_id"] is Int && $0["address"] is String })
        #expect(traders.allSatisfy { $0.keys.contains("return_pct") && $0["account_id"] is NSNull && $0["metrics"] is [String: Any] })
        let all = (try await arena.getJSON("/api/leaderboard")).1
        #expect(all["kind"] as? String == "all" && (all["entries"] as? [Any])?.count == accounts.count + traders.count)
        #expect(try await arena.getJSON("/api/leaderboard?kind=people").0 == 400)
    }
}
