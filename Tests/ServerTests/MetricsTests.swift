import ArenaTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `/metrics` of a real `arena serve`: the series exist in Prometheus's text format, move as the
/// arena decides, trades and answers requests, label requests by route pattern, and can be put
/// behind the admin token.
@Suite("Metrics")
struct MetricsTests {
    static let token = "metrics-test-token-5b1f0c"

    /// The exposition as text, with its status.
    static func scrape(_ arena: ArenaProcess, token: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: try #require(URL(string: arena.baseURL + "/metrics")))
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The sum of every sample of `name` whose labels contain each of `labels` (`key="value"`).
    static func value(_ text: String, _ name: String, _ labels: [String] = []) -> Double {
        var total = 0.0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { continue }
            guard labels.allSatisfy({ line.contains($0) }), let number = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            total += number
        }
        return total
    }

    @Test("decisions, orders, fills, HTTP requests and database writes move in /metrics")
    func seriesMove() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--speed", "30"], environment: ["ARENA_ADMIN_TOKEN": Self.token])
        defer { arena.terminate() }

        // The demo accounts decide every 30 market seconds: one second of real time is enough.
        var first = ""
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            try await Task.sleep(for: .milliseconds(300))
            first = try await Self.scrape(arena).1
        } while Self.value(first, "arena_decisions_total") < 1 && ContinuousClock.now < deadline
        #expect(Self.value(first, "arena_decisions_total") >= 1, "no decision counted:\n\(first)")
        #expect(first.contains("# TYPE arena_decisions_total counter"))
        #expect(first.contains("# TYPE arena_decision_duration_seconds histogram"))
        #expect(Self.value(first, "arena_decision_duration_seconds_count") >= 1)

        // An operator's order that fills, and one refused for its size.
        let (placed, reply) = try await arena.send("POST", "/api/accounts/1/orders",
                                                   body: #"{"symbol":"BTC","side":"buy","type":"market","size":"0.01"}"#, token: Self.token)
        #expect(placed == 200, "\(reply)")
        let (refused, _) = try await arena.send("POST", "/api/accounts/1/orders",
                                                body: #"{"symbol":"BTC","side":"buy","type":"market","size":"0.0000001"}"#, token: Self.token)
        #expect(refused >= 400 || refused == 200)
        _ = try await arena.getJSON("/api/accounts/1")
        _ = try await arena.getJSON("/api/no-such-route")

        let (status, second) = try await Self.scrape(arena)
        #expect(status == 200)
        #expect(Self.value(second, "arena_orders_total", [#"account="1""#, #"status="filled""#]) >= 1, "\(second)")
        #expect(Self.value(second, "arena_fills_total", [#"account="1""#]) >= 1)
        #expect(Self.value(second, "arena_decisions_total") >= Self.value(first, "arena_decisions_total"))
        // Requests are counted by route pattern, never by raw path.
        #expect(Self.value(second, "arena_http_requests_total", [#"route="/api/accounts/{id}/orders""#, #"method="POST""#]) >= 1)
        #expect(Self.value(second, "arena_http_requests_total", [#"route="/api/accounts/{id}""#, #"status="200""#]) >= 1)
        #expect(Self.value(second, "arena_http_requests_total", [#"route="unmatched""#, #"status="404""#]) >= 1)
        #expect(!second.contains(#"route="/api/accounts/1"#))
        #expect(!second.contains("no-such-route"))
        #expect(Self.value(second, "arena_http_request_duration_seconds_count") >= 3)
        // Every write of the ledger is timed; the simulation writes prices at every step.
        let writes = Self.value(second, "arena_database_write_duration_seconds_count", [#"outcome="committed""#])
        #expect(writes > Self.value(first, "arena_database_write_duration_seconds_count", [#"outcome="committed""#]))
        #expect(second.contains("\narena_feed_clients "))
        // The alert service follows the feed too.
        #expect(Self.value(second, "arena_feed_clients") >= 1)
        #expect(Self.value(second, "arena_feed_last_seq") > 0)
        #expect(!second.contains(Self.token))
    }

    @Test("--metrics-token-required puts /metrics behind the admin token")
    func tokenRequired() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--metrics-token-required"],
                                           environment: ["ARENA_ADMIN_TOKEN": Self.token])
        defer { arena.terminate() }
        #expect(try await Self.scrape(arena).0 == 401)
        #expect(try await Self.scrape(arena, token: "wrong").0 == 401)
        let (status, text) = try await Self.scrape(arena, token: Self.token)
        #expect(status == 200)
        #expect(text.contains("arena_feed_clients"))
    }

    @Test("--no-metrics leaves the route out")
    func metricsOff() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--no-metrics"])
        defer { arena.terminate() }
        #expect(try await Self.scrape(arena).0 == 404)
    }
}
