import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import GRDB
import Testing
@testable import Storage

/// A season's repeat writes its ledger in memory, every change a savepoint of one open
/// transaction, and saves it to its file at the end.
@Suite("A ledger in memory")
struct InMemoryLedgerTests {
    struct Refused: Error {}

    static func decision(_ account: AccountID, at milliseconds: Int64) -> DecisionRecord {
        DecisionRecord(accountID: account, time: Timestamp(milliseconds: milliseconds), driverKind: "test", outcome: .hold)
    }

    @Test("a change that fails leaves nothing and the others stay; save() writes every committed row to the file")
    func failedChangesRollBackAndSaveWritesTheRest() throws {
        let folder = try TemporaryFolder(prefix: "in-memory-ledger")
        let path = folder.path("ledgers/repeat-1.sqlite")
        let database = try ArenaDatabase(inMemorySavedTo: path)
        try Migrator(folder: packageMigrations).migrate(database, now: 0)
        let ledger = LedgerStore(database: database)
        let btc = try #require(Symbol("BTC"))
        let account = try ledger.createAccount(NewAccount(name: "hold", driverKind: "test", symbols: [btc], initialCapital: 10_000),
                                               now: Timestamp(milliseconds: 0)).id
        let writer = LedgerWriter(ledger: ledger)

        var published: [Int64] = []
        let first = try writer.transaction({ try $0.insertDecision(Self.decision(account, at: 1)) }, afterCommit: { published.append($0) })
        #expect(throws: Refused.self) {
            try writer.transaction({ transaction -> Int64 in
                _ = try transaction.insertDecision(Self.decision(account, at: 2))
                throw Refused()
            }, afterCommit: { published.append($0) })
        }
        #expect(throws: Refused.self) {
            try database.write { db in
                _ = try LedgerTransaction(db, of: database).insertDecision(Self.decision(account, at: 3))
                throw Refused()
            }
        }
        let last = try ledger.recordDecision(Self.decision(account, at: 4))
        #expect(published == [first], "only the change that went through is announced")
        #expect(try database.read { try Int64.fetchAll($0, sql: "SELECT time FROM decisions ORDER BY id") } == [1, 4])
        #expect(!FileManager.default.fileExists(atPath: path), "nothing reaches the file before save()")

        try database.save()
        try database.close()
        let saved = try ArenaDatabase(path: path)
        defer { try? saved.close() }
        let rows = try saved.read { db in
            (ids: try Int64.fetchAll(db, sql: "SELECT id FROM decisions ORDER BY id"),
             accounts: try String.fetchAll(db, sql: "SELECT name FROM accounts"),
             migrations: try Int.fetchOne(db, sql: "SELECT count(*) FROM schema_migrations") ?? 0,
             integrity: try String.fetchOne(db, sql: "PRAGMA integrity_check"))
        }
        #expect(rows.ids == [first, last])
        #expect(rows.accounts == ["hold"])
        #expect(rows.migrations == (try Migrator(folder: packageMigrations).migrations.count))
        #expect(rows.integrity == "ok")
        // The saved ledger takes the server's writes like any other.
        let reopened = LedgerStore(database: saved)
        _ = try reopened.recordDecision(Self.decision(account, at: 5))
        #expect(try saved.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM decisions") } == 3)
    }
}
