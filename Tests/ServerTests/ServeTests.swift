import ArenaTestSupport
import Foundation
import HummingbirdWSClient
import Logging
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("arena serve over a real socket", .serialized)
struct ServeTests {
    @Test("serves health, a moving leaderboard and the live feed, then shuts down cleanly on SIGTERM")
    func servesEndToEnd() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "7", "--speed", "4", "--snapshot-interval", "1"])

        let (healthStatus, health) = try await arena.getJSON("/health")
        #expect(healthStatus == 200)
        #expect(health["status"] as? String == "ok")

        // The leaderboard lists the demo roster, and its equity moves as the accounts trade.
        func equities() async throws -> [Int: String] {
            let (status, body) = try await arena.getJSON("/api/leaderboard")
            #expect(status == 200)
            let entries = body["entries"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: entries.compactMap { entry in
                guard let id = entry["account_id"] as? Int, let equity = entry["equity"] as? String else { return nil }
                return (id, equity)
            })
        }
        var first = try await equities()
        let waitForEntries = Date().addingTimeInterval(10)
        while first.count < 7 && Date() < waitForEntries {
            try await Task.sleep(for: .milliseconds(200))
            first = try await equities()
        }
        // Seven baselines (the Fibonacci hedge joined the four-phase one), and the local model's account
        // when `make venv` has installed it.
        #expect([7, 8].contains(first.count), "the demo roster has seven or eight accounts: \(arena.log)")
        var moved = false
        let deadline = Date().addingTimeInterval(20)
        while !moved && Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            let now = try await equities()
            moved = now.contains { id, equity in first[id].map { $0 != equity } ?? false }
        }
        #expect(moved, "no account's equity changed within 20 seconds")

        // The feed says hello, then carries orders, fills and snapshots as they happen.
        let received = try await collectFeed(url: "ws://127.0.0.1:\(arena.port)/ws/feed", until: { types in
            types.contains("snapshot") && (types.contains("order") || types.contains("fill"))
        })
        #expect(received.first == "hello")
        #expect(received.contains("snapshot"))
        #expect(received.contains("order") || received.contains("fill"))

        // The account page shows positions and orders as stored.
        let (accountStatus, account) = try await arena.getJSON("/api/accounts/1")
        #expect(accountStatus == 200)
        #expect(account["name"] as? String == "hold-btc")
        let orders = account["orders"] as? [[String: Any]] ?? []
        #expect(orders.contains { $0["status"] as? String == "filled" && $0["slippage_bps"] != nil })

        let (modelsStatus, models) = try await arena.getJSON("/api/models")
        #expect(modelsStatus == 200)
        let lines = models["models"] as? [[String: Any]] ?? []
        #expect(lines.contains { $0["driver"] as? String == "buy_and_hold" && $0["accounts"] as? Int == 3 }, "\(models)")

        let (missingStatus, _) = try await arena.getJSON("/api/accounts/999")
        #expect(missingStatus == 404)
        // The hedge account (the sixth of the demo) shows its strategy; other drivers have none.
        let (strategyStatus, strategy) = try await arena.getJSON("/api/accounts/6/strategy")
        #expect(strategyStatus == 200)
        #expect(strategy["name"] as? String == "hedge-eth")
        #expect(["ADVANCE", "RETRACEMENT", "DECLINE", "RECOVERY"].contains(strategy["phase"] as? String ?? ""))
        #expect(strategy["long_value"] is String && strategy["short_value"] is String && strategy["cash"] is String)
        // The Fibonacci hedge (the seventh) shows its phase, swing, legs and cycle.
        let (fibonacciStatus, fibonacci) = try await arena.getJSON("/api/accounts/7/strategy")
        #expect(fibonacciStatus == 200)
        #expect(fibonacci["name"] as? String == "fibonacci-eth" && fibonacci["driver"] as? String == "fibonacci")
        #expect(["RIDING", "HEDGED", "REDUCED", "OUT"].contains(fibonacci["phase"] as? String ?? ""))
        #expect(fibonacci["swing_low"] is String && fibonacci["long_leg"] is String && fibonacci["cycle"] is Int)
        let (notHedgeStatus, _) = try await arena.getJSON("/api/accounts/1/strategy")
        #expect(notHedgeStatus == 404)
        let (badSortStatus, badSort) = try await arena.getJSON("/api/leaderboard?sort_by=nonsense")
        #expect(badSortStatus == 400)
        #expect((badSort["error"] as? String)?.contains("return_pct") == true)

        #expect(await arena.stop() == 0, "arena did not exit cleanly: \(arena.log)")
        #expect(arena.log.contains("database closed"))
    }

    /// Connects to the feed and returns the types of the messages received until `done` says so
    /// (or 20 seconds pass).
    func collectFeed(url: String, until done: @escaping @Sendable ([String]) -> Bool) async throws -> [String] {
        let types = Types()
        let logger = Logger(label: "feed-test")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await WebSocketClient.connect(url: url, logger: logger) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message,
                              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                              let type = object["type"] as? String else { continue }
                        if types.append(type, done) { return }
                    }
                }
            }
            group.addTask { try await Task.sleep(for: .seconds(20)) }
            try await group.next()
            group.cancelAll()
        }
        return types.all
    }
}

/// Message types seen so far, shared between the socket handler and the test.
final class Types: @unchecked Sendable {
    private let lock = NSLock()
    private var types: [String] = []

    /// Appends `type`; returns whether `done` is now satisfied.
    func append(_ type: String, _ done: ([String]) -> Bool) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        types.append(type)
        return done(types)
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return types
    }
}

@Suite("The web page in a real browser", .serialized)
struct PageTests {
    @Test("the page loads without console errors, fills its table, shows a new fill live and sorts")
    func pageInHeadlessChromium() async throws {
        let python = packageFile(".venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path),
                     "the test virtual environment is missing: run make test, which creates .venv with selenium")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
                     "chromium-driver is missing: run make test, which installs chromium and chromium-driver")
        let token = "page-token-\(UUID().uuidString)"
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "11", "--speed", "4", "--snapshot-interval", "1"],
                                     environment: ["ARENA_ADMIN_TOKEN": token])
        defer { arena.terminate() }
        let artifacts = packageFile("test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("page.png")
        let check = try ChildProcess(executable: python,
                                     arguments: [packageFile("Tests/Browser/page_check.py").path, arena.baseURL, screenshot.path, token],
                                     errorOutput: .mergedIntoOutput)
        let status = await check.exited()
        let log = artifacts.appendingPathComponent("page-check.log")
        try Data(check.output.utf8).write(to: log)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? "(no output)"
        #expect(status == 0, "\(text)\narena log:\n\(arena.log.suffix(3000))")
        #expect(FileManager.default.fileExists(atPath: screenshot.path))
    }
}
