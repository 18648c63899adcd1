import Arena
import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import GRDB
import HummingbirdWSClient
import Logging
@testable import Storage
import Testing

/// The ledger stays bounded for weeks: old feed messages are pruned (and a resume from a pruned
/// seq says so) and old equity snapshots are thinned to each bucket's first, extremes and last.
/// (Prompts stored compressed but read back as text: `PromptStorageTests` in StorageTests.)
@Suite("storage that stays bounded")
struct StorageBoundsTests {
    static let day: Int64 = 86_400_000

    static func decimal(_ text: String) throws -> FixedDecimal { try #require(FixedDecimal(text)) }

    /// A feed message of type `price` at `time`.
    static func message(_ seq: Int64, at time: Int64) -> FeedMessage {
        FeedMessage(seq: seq, topic: .price, accountID: nil, time: Timestamp(milliseconds: time), dataJSON: "{\"n\":\(seq)}")
    }

    @Test("feed messages older than the window go, the newest always stays, in batches")
    func eventsArePruned() throws {
        let test = try TestLedger()
        let now: Int64 = 1_800_000_000_000
        // 12 days of messages, two an hour.
        let messages = (0..<(12 * 48)).map { Self.message(Int64($0 + 1), at: now - 12 * Self.day + Int64($0) * 1_800_000) }
        try test.database.write { db in try LedgerTransaction(db, of: test.database).appendFeedMessages(messages) }
        let upkeep = LedgerUpkeep(ledger: test.ledger, eventsRetentionDays: 7, logger: Logger(label: "test"))
        let pass = upkeep.runPass()
        let newest = try #require(messages.last).time.milliseconds
        let kept = messages.filter { $0.time.milliseconds >= newest - 7 * Self.day }
        #expect(pass.eventsPruned == messages.count - kept.count)
        #expect(try test.ledger.firstEventSeq() == kept.first?.seq)
        #expect(try test.ledger.lastEventSeq() == messages.last?.seq)
        #expect(upkeep.runPass().eventsPruned == 0, "a second pass finds nothing more")
        // Batches smaller than the work still remove all of it.
        let more = (0..<50).map { Self.message(Int64(messages.count + 1 + $0), at: newest + 30 * Self.day + Int64($0)) }
        try test.database.write { db in try LedgerTransaction(db, of: test.database).appendFeedMessages(more) }
        #expect(try test.ledger.pruneEvents(before: Timestamp(milliseconds: newest + 30 * Self.day), batchSize: 7) == kept.count)
        #expect(try test.ledger.count("events") == 50)
        // Even a cutoff past every message keeps the newest one: a restart continues seq after it.
        _ = try test.ledger.pruneEvents(before: Timestamp(milliseconds: Int64.max))
        #expect(try test.ledger.count("events") == 1)
        #expect(try test.ledger.lastEventSeq() == more.last?.seq)
    }

    @Test("old equity snapshots keep each bucket's first, lowest, highest and last; the last day stays whole")
    func snapshotsAreDownsampled() throws {
        let test = try TestLedger(accounts: 2)
        let start: Int64 = 1_800_000_000_000 - (1_800_000_000_000 % 300_000)
        // Three days of 5-second snapshots for account 1, a zigzag with a known extreme per bucket.
        var snapshots: [SnapshotRecord] = []
        let count = 3 * 17_280
        for index in 0..<count {
            let time = start + Int64(index) * 5_000
            let wave = (index % 60) == 17 ? 900 : ((index % 60) == 41 ? -900 : (index % 7) * 10)
            let equity = try Self.decimal("\(10_000 + wave).25")
            snapshots.append(SnapshotRecord(accountID: AccountID(1), time: Timestamp(milliseconds: time), equity: equity, cash: equity,
                                            unrealizedPnl: .zero, marginUsed: .zero))
        }
        snapshots.append(SnapshotRecord(accountID: AccountID(2), time: Timestamp(milliseconds: start), equity: try Self.decimal("5"),
                                        cash: try Self.decimal("5"), unrealizedPnl: .zero, marginUsed: .zero))
        for chunk in stride(from: 0, to: snapshots.count, by: 5_000) {
            try test.database.write { db in
                try LedgerTransaction(db, of: test.database).insertSnapshots(Array(snapshots[chunk..<min(snapshots.count, chunk + 5_000)]), metrics: [:],
                                                          now: Timestamp(milliseconds: start))
            }
        }
        let before = try test.ledger.equityCurve(of: AccountID(1), from: Timestamp(milliseconds: start),
                                                 to: Timestamp(milliseconds: start + 3 * Self.day), points: 200)
        let upkeep = LedgerUpkeep(ledger: test.ledger, logger: Logger(label: "test"))
        let pass = upkeep.runPass()
        let newest = start + Int64(count - 1) * 5_000
        let cutoff = newest - Self.day
        let oldBuckets = Int((cutoff - start) / 300_000)
        let remaining = try test.database.read { db in
            (old: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account_snapshots WHERE account_id = 1 AND time < ?", arguments: [start + Int64(oldBuckets) * 300_000]) ?? 0,
             recent: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account_snapshots WHERE account_id = 1 AND time >= ?", arguments: [start + Int64(oldBuckets) * 300_000]) ?? 0,
             other: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account_snapshots WHERE account_id = 2") ?? 0)
        }
        #expect(remaining.old == oldBuckets * 4, "four snapshots per old bucket")
        #expect(remaining.recent == count - oldBuckets * 60, "the newest day is untouched")
        #expect(remaining.other == 1)
        #expect(pass.snapshotsDownsampled == oldBuckets * 56)
        // Every old bucket keeps its extremes: the curve the API draws is the same.
        let after = try test.ledger.equityCurve(of: AccountID(1), from: Timestamp(milliseconds: start),
                                                to: Timestamp(milliseconds: start + 3 * Self.day), points: 200)
        #expect(after == before)
        let extremes = try test.database.read { db in
            try Row.fetchAll(db, sql: "SELECT MIN(CAST(equity AS REAL)) AS low, MAX(CAST(equity AS REAL)) AS high FROM account_snapshots WHERE account_id = 1 AND time < ? GROUP BY (time - ?) / 300000",
                             arguments: [start + Int64(oldBuckets) * 300_000, start])
        }
        #expect(extremes.count == oldBuckets)
        #expect(extremes.allSatisfy { ($0["low"] as Double) == 9_100.25 && ($0["high"] as Double) == 10_900.25 })
        #expect(upkeep.runPass().snapshotsDownsampled == 0, "a second pass starts at its watermark and finds nothing")
    }

    @Test("arena db stats counts each table's rows and bytes and the file's pages, as a table or JSON")
    func databaseStatistics() async throws {
        let executable = try #require(arenaExecutable, "the arena executable is not built next to the tests; run make test")
        let test = try TestLedger(accounts: 1)
        let messages = (1...500).map { Self.message(Int64($0), at: Int64($0)) }
        try test.database.write { db in try LedgerTransaction(db, of: test.database).appendFeedMessages(messages) }
        let json = try ChildProcess(executable: executable, arguments: ["db", "stats", "--db", test.path, "--json"])
        #expect(await json.exited(timeout: .seconds(30)) == 0, "\(json.errorOutput)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let tables = try #require(object["tables"] as? [[String: Any]])
        let events = try #require(tables.first { $0["name"] as? String == "events" })
        #expect(events["rows"] as? Int == 500)
        #expect((events["bytes"] as? Int ?? 0) > 500 * 40, "the events' pages are measured (dbstat)")
        #expect(tables.first?["name"] as? String == "events", "largest first")
        #expect((object["page_count"] as? Int ?? 0) > 0 && (object["file_bytes"] as? Int ?? 0) > 0)
        let table = try ChildProcess(executable: executable, arguments: ["db", "stats", "--db", test.path])
        #expect(await table.exited(timeout: .seconds(30)) == 0)
        #expect(table.output.contains("events") && table.output.contains("500") && table.output.contains("free pages"))
        let missing = try ChildProcess(executable: executable, arguments: ["db", "stats", "--db", test.folder.path("none.sqlite")])
        #expect(await missing.exited(timeout: .seconds(30)) != 0)
        #expect(missing.errorOutput.contains("No database at"))
        #expect(!FileManager.default.fileExists(atPath: test.folder.path("none.sqlite")), "a missing file is not created")
    }

    @Test("a client resuming from a pruned seq is told so, over the API and the WebSocket, and gets what is kept")
    func resumeFromAPrunedSeq() async throws {
        let folder = try TemporaryFolder(prefix: "arena-pruned")
        let path = folder.path("arena.sqlite")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            let database = try ArenaDatabase(path: path)
            try Migrator(folder: packageMigrations).migrate(database, now: now)
            // Ten days ago and one hour ago: the first three fall out of a seven-day window.
            let messages = [Self.message(1, at: now - 10 * Self.day), Self.message(2, at: now - 10 * Self.day + 1),
                            Self.message(3, at: now - 9 * Self.day), Self.message(4, at: now - 3_600_000),
                            Self.message(5, at: now - 3_000_000)]
            try database.write { db in try LedgerTransaction(db, of: database).appendFeedMessages(messages) }
            try database.close()
        }
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--events-retention-days", "7"], database: path)
        defer { arena.terminate() }
        var first: Int64 = 0
        for _ in 0..<100 {
            let (_, page) = try await arena.getJSON("/api/feed?after_seq=0&limit=1")
            first = ((page["events"] as? [[String: Any]])?.first?["seq"] as? NSNumber)?.int64Value ?? 0
            if first == 4 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(first == 4, "messages 1 to 3 were pruned at start")
        let (status, pruned) = try await arena.getJSON("/api/feed?after_seq=1&limit=2")
        #expect(status == 200)
        #expect(pruned["pruned"] as? Bool == true)
        #expect((pruned["events"] as? [[String: Any]])?.compactMap { ($0["seq"] as? NSNumber)?.intValue } == [4, 5])
        let (_, whole) = try await arena.getJSON("/api/feed?after_seq=3&limit=2")
        #expect(whole["pruned"] as? Bool == false, "nothing after seq 3 is missing")

        let frames = Frames()
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(arena.port)/ws/feed?after_seq=1&topics=price", logger: Logger(label: "test")) { inbound, _, _ in
            for try await frame in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = frame else { continue }
                if frames.append(text) >= 4 { return }
            }
        }
        let texts = frames.all
        #expect(texts.first?.contains("\"type\":\"hello\"") == true)
        #expect(texts.dropFirst().first?.contains("\"type\":\"pruned\"") == true, "\(texts)")
        #expect(texts.dropFirst().first?.contains("\"first_seq\":4") == true)
        #expect(texts.dropFirst(2).first?.contains("\"seq\":4") == true)
    }
}

/// Text frames received, shared with the WebSocket's closure.
final class Frames: @unchecked Sendable {
    private let lock = NSLock()
    private var texts: [String] = []

    /// Appends `text` and returns how many there are now.
    func append(_ text: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        texts.append(text)
        return texts.count
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return texts
    }
}
