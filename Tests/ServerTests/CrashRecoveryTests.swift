import ArenaTestSupport
import Foundation
import Testing

/// A crash at any instant leaves a feed that holds every committed change: the `events` row of
/// an order or a fill is written in the transaction that commits it.
@Suite("Crash recovery", .serialized)
struct CrashRecoveryTests {
    /// Four random traders deciding every market second, on a simulation run as fast as it goes.
    static let roster = """
        {"accounts": [
          {"name": "r1", "driver": {"kind": "random", "seed": 1, "interval_seconds": 1}, "symbols": ["BTC", "ETH"], "initial_capital": "10000"},
          {"name": "r2", "driver": {"kind": "random", "seed": 2, "interval_seconds": 1}, "symbols": ["BTC", "SOL"], "initial_capital": "10000"},
          {"name": "r3", "driver": {"kind": "random", "seed": 3, "interval_seconds": 1}, "symbols": ["ETH", "SOL"], "initial_capital": "10000"},
          {"name": "r4", "driver": {"kind": "random", "seed": 4, "interval_seconds": 1}, "symbols": ["BTC"], "initial_capital": "10000"}
        ]}
        """

    /// Every page of a history endpoint (`orders` or `fills`), newest first.
    func allRows(_ arena: ArenaProcess, account: Int, kind: String) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        var cursor: Int?
        repeat {
            let before = cursor.map { "&before=\($0)" } ?? ""
            let (status, page) = try await arena.getJSON("/api/accounts/\(account)/\(kind)?limit=500\(before)")
            #expect(status == 200)
            rows += page[kind] as? [[String: Any]] ?? []
            cursor = page["next_cursor"] as? Int
        } while cursor != nil
        return rows
    }

    /// Every stored feed message, oldest first.
    func wholeFeed(_ arena: ArenaProcess) async throws -> [[String: Any]] {
        var events: [[String: Any]] = []
        var after = 0
        while true {
            let (status, page) = try await arena.getJSON("/api/feed?after_seq=\(after)&limit=5000")
            #expect(status == 200)
            let batch = page["events"] as? [[String: Any]] ?? []
            events += batch
            guard page["more"] as? Bool == true, let next = page["next_after_seq"] as? Int else { return events }
            after = next
        }
    }

    @Test("after SIGKILL right after orders were committed, every committed order and fill is in /api/feed, in seq order with no gap")
    func killedWhileTrading() async throws {
        let folder = try TemporaryFolder(prefix: "arena-crash")
        let rosterPath = folder.path("roster.json")
        try Data(Self.roster.utf8).write(to: URL(fileURLWithPath: rosterPath))
        let database = folder.path("arena.sqlite")
        let arguments = ["--market", "sim", "--speed", "max", "--config", rosterPath, "--snapshot-interval", "1"]

        // Trade until fills are being committed, then kill the process mid-flight.
        let first = try await ArenaProcess(arguments: arguments, database: database)
        var fillsSeen = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while fillsSeen < 50 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            let (_, board) = try await first.getJSON("/api/leaderboard")
            fillsSeen = (board["entries"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["trades"] as? Int ?? 0) }
        }
        #expect(fillsSeen >= 50, "the traders did not trade: \(first.log)")
        await first.child.crash()

        // The same database, served again.
        let second = try await ArenaProcess(arguments: arguments, database: database)
        defer { second.terminate() }
        var orderIDs = Set<String>()
        var fillKeys = Set<String>()
        for account in 1...4 {
            for order in try await allRows(second, account: account, kind: "orders") {
                if let cloid = order["cloid"] as? String { orderIDs.insert(cloid) }
            }
            for row in try await allRows(second, account: account, kind: "fills") {
                let fill = row["fill"] as? [String: Any] ?? [:]
                fillKeys.insert("\(fill["cloid"] ?? "") \(fill["time"] ?? "") \(fill["price"] ?? "") \(fill["size"] ?? "")")
            }
        }
        #expect(fillKeys.count >= 50, "fewer fills than were seen before the kill")

        let feed = try await wholeFeed(second)
        let seqs = feed.compactMap { $0["seq"] as? Int }
        #expect(seqs.count == feed.count)
        #expect(seqs == Array(1...max(1, seqs.count)), "the feed has a gap or a repeat")
        var feedOrders = Set<String>()
        var feedFills = Set<String>()
        for event in feed {
            let data = event["data"] as? [String: Any] ?? [:]
            switch event["type"] as? String {
            case "order": if let cloid = data["cloid"] as? String { feedOrders.insert(cloid) }
            case "fill": feedFills.insert("\(data["cloid"] ?? "") \(data["time"] ?? "") \(data["price"] ?? "") \(data["size"] ?? "")")
            default: break
            }
        }
        #expect(orderIDs.subtracting(feedOrders).isEmpty, "committed orders missing from the feed: \(orderIDs.subtracting(feedOrders).count)")
        #expect(fillKeys.subtracting(feedFills).isEmpty, "committed fills missing from the feed: \(fillKeys.subtracting(feedFills).count)")

        // Trading resumes after the restart.
        let (_, health) = try await second.getJSON("/health")
        let resumedAt = health["last_seq"] as? Int ?? 0
        try await Task.sleep(for: .milliseconds(500))
        let (_, later) = try await second.getJSON("/health")
        #expect((later["last_seq"] as? Int ?? 0) > resumedAt, "the feed did not move after the restart")
    }
}
