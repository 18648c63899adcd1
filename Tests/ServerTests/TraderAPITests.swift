import Foundation
import Testing

/// The API a trader's bot expects (seed 000): markets, prices, open orders, trades by coin and
/// time, a feed by coin, and a health that says what runs. In process, through the router.
@Suite("Trader API")
struct TraderAPITests {
    static let token = "trader-api-token-\(UUID().uuidString)"

    @Test("markets list every coin with its rules, prices, funding and volume; one coin adds the top of its book")
    func markets() async throws {
        try await InProcessArena.run(speed: 8) { arena in
            try await Task.sleep(for: .seconds(1))
            let (status, body) = try await arena.getJSON("/api/markets")
            #expect(status == 200)
            let markets = body["markets"] as? [[String: Any]] ?? []
            #expect(markets.compactMap { $0["symbol"] as? String } == ["BTC", "ETH", "SOL"])
            for market in markets {
                for field in ["mid", "mark", "funding_rate", "volume_24h", "volume_24h_usd"] {
                    #expect(market[field] is String, "\(field) missing in \(market)")
                }
                #expect(market["size_decimals"] is Int && market["max_leverage"] is Int)
                #expect(market.keys.contains("open_interest"))
            }
            let (one, btc) = try await arena.getJSON("/api/markets/BTC")
            #expect(one == 200)
            let bids = btc["bids"] as? [[String: Any]] ?? []
            #expect(!bids.isEmpty && bids.count <= 5)
            let bestBid = Double(btc["best_bid"] as? String ?? "") ?? 0
            let bestAsk = Double(btc["best_ask"] as? String ?? "") ?? 0
            #expect(bestBid > 0 && bestBid < bestAsk)
            #expect(try await arena.getJSON("/api/markets/DOGE").0 == 404)
            let (bad, reply) = try await arena.getJSON("/api/markets/b%40d")
            #expect(bad == 400)
            #expect((reply["error"] as? String)?.contains("symbol") == true)
        }
    }

    @Test("orders filter by status (open is every order not yet final) and coin; fills by coin and time; bad values name themselves")
    func historyFilters() async throws {
        try await InProcessArena.run(adminToken: Self.token, speed: 8) { arena in
            let create = #"{"name":"bot","driver":{"kind":"buy_and_hold","symbol":"ETH","interval_seconds":86400},"symbols":["ETH","BTC"],"initial_capital":"100000"}"#
            let (_, account) = try await arena.send("POST", "/api/accounts", body: create, token: Self.token)
            let id = try #require(account["id"] as? Int)
            try await Task.sleep(for: .seconds(1))
            // One resting BTC order far from the market, one filled BTC order.
            _ = try await arena.send("POST", "/api/accounts/\(id)/orders",
                                     body: #"{"symbol":"BTC","side":"buy","type":"limit","size":"0.01","price":"50000"}"#, token: Self.token)
            let (_, filled) = try await arena.send("POST", "/api/accounts/\(id)/orders",
                                                   body: #"{"symbol":"BTC","side":"buy","type":"market","size":"0.01"}"#, token: Self.token)
            let fillTime = try #require((filled["fills"] as? [[String: Any]])?.first?["time"] as? Int)

            func orders(_ query: String) async throws -> [[String: Any]] {
                let (status, body) = try await arena.getJSON("/api/accounts/\(id)/orders?\(query)")
                #expect(status == 200, "\(query): \(body)")
                return body["orders"] as? [[String: Any]] ?? []
            }
            let open = try await orders("status=open&symbol=BTC")
            #expect(open.count == 1 && open.first?["status"] as? String == "open", "\(open)")
            #expect(try await orders("status=filled&symbol=BTC").allSatisfy { $0["status"] as? String == "filled" && $0["symbol"] as? String == "BTC" })
            #expect(try await orders("status=open&symbol=SOL").isEmpty)

            func fills(_ query: String) async throws -> [[String: Any]] {
                let (status, body) = try await arena.getJSON("/api/accounts/\(id)/fills?\(query)")
                #expect(status == 200, "\(query): \(body)")
                return body["fills"] as? [[String: Any]] ?? []
            }
            #expect(try await fills("symbol=BTC&from=\(fillTime)&to=\(fillTime)").count >= 1)
            #expect(try await fills("symbol=BTC&from=\(fillTime + 1)").isEmpty)
            #expect(try await fills("symbol=SOL").isEmpty)

            for (path, named) in [("orders?status=resting", "status"), ("orders?symbol=b%40d", "symbol"), ("fills?from=yesterday", "from"),
                                  ("fills?to=-5", "to"), ("fills?from=10&to=5", "from"), ("fills?symbol=", "symbol")] {
                let (status, reply) = try await arena.getJSON("/api/accounts/\(id)/\(path)")
                #expect(status == 400, "\(path) answered \(status)")
                #expect((reply["error"] as? String)?.contains(named) == true, "\(path): \(reply)")
            }
        }
    }

    @Test("the feed's catch-up keeps only the asked coins' orders and fills, and messages about no one coin")
    func feedBySymbol() async throws {
        try await InProcessArena.run(adminToken: Self.token, speed: 8) { arena in
            let create = #"{"name":"two-coins","driver":{"kind":"buy_and_hold","symbol":"ETH","interval_seconds":86400},"symbols":["ETH","BTC"],"initial_capital":"100000"}"#
            let (_, account) = try await arena.send("POST", "/api/accounts", body: create, token: Self.token)
            let id = try #require(account["id"] as? Int)
            try await Task.sleep(for: .seconds(1))
            for body in [#"{"symbol":"BTC","side":"buy","type":"market","size":"0.01"}"#, #"{"symbol":"ETH","side":"buy","type":"market","size":"0.1"}"#] {
                #expect(try await arena.send("POST", "/api/accounts/\(id)/orders", body: body, token: Self.token).0 == 200)
            }
            let (status, body) = try await arena.getJSON("/api/feed?after_seq=0&limit=5000&symbols=ETH")
            #expect(status == 200)
            let events = body["events"] as? [[String: Any]] ?? []
            let coinMessages = events.filter { ["order", "fill", "funding"].contains($0["type"] as? String) }
            #expect(coinMessages.contains { ($0["data"] as? [String: Any])?["account_id"] as? Int == id })
            #expect(coinMessages.allSatisfy { ($0["data"] as? [String: Any])?["symbol"] as? String == "ETH" }, "\(coinMessages.prefix(3))")
            #expect(events.contains { $0["type"] as? String == "price" })
            let (all, everything) = try await arena.getJSON("/api/feed?after_seq=0&limit=5000")
            #expect(all == 200)
            let allCoin = (everything["events"] as? [[String: Any]] ?? []).filter { ["order", "fill"].contains($0["type"] as? String) }
            #expect(allCoin.contains { ($0["data"] as? [String: Any])?["symbol"] as? String == "BTC" }, "the BTC order is in the unfiltered feed")
            let (bad, reply) = try await arena.getJSON("/api/feed?symbols=BTC,b%40d")
            #expect(bad == 400)
            #expect((reply["error"] as? String)?.contains("symbols") == true)
        }
    }

    @Test("an account created while the arena runs sees the market at once: its first order is priced, not refused")
    func newAccountTradesAtOnce() async throws {
        try await InProcessArena.run(adminToken: Self.token, speed: 1) { arena in
            try await Task.sleep(for: .milliseconds(300))
            let create = #"{"name":"late","driver":{"kind":"buy_and_hold","symbol":"BTC","interval_seconds":86400},"symbols":["BTC"],"initial_capital":"10000"}"#
            let (_, account) = try await arena.send("POST", "/api/accounts", body: create, token: Self.token)
            let id = try #require(account["id"] as? Int)
            let (status, reply) = try await arena.send("POST", "/api/accounts/\(id)/orders",
                                                       body: #"{"symbol":"BTC","side":"buy","type":"market","size":"0.001"}"#, token: Self.token)
            #expect(status == 200)
            let order = try #require(reply["order"] as? [String: Any])
            #expect(order["status"] as? String == "filled", "\(reply)")
            #expect((order["created_at"] as? Int ?? 0) > 0, "the order carries the market's time")
        }
    }

    @Test("health says the version, the uptime and the market source's state")
    func health() async throws {
        try await InProcessArena.run(speed: 4) { arena in
            // The market source starts with the server; on a loaded machine its first step can take a while.
            var (status, body) = try await arena.getJSON("/health")
            for _ in 0..<100 where body["market_state"] as? String != "running" {
                try await Task.sleep(for: .milliseconds(100))
                (status, body) = try await arena.getJSON("/health")
            }
            #expect(status == 200)
            #expect(body["version"] as? String == "0.3.0")
            #expect((body["uptime_seconds"] as? Int).map { $0 >= 0 } == true)
            #expect(body["market_state"] as? String == "running")
            #expect(body["started_at"] is Int)
        }
    }
}
