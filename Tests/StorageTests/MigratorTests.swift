import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import GRDB
import Testing
@testable import Storage

@Suite("Migrations")
struct MigratorTests {
    @Test("an empty database gets every table of the design, each migration recorded with its checksum")
    func migratesEmptyDatabase() throws {
        let temporary = try TemporaryDatabase()
        let migrator = try Migrator(folder: packageMigrations)
        let applied = try migrator.migrate(temporary.database, now: 1)
        #expect(applied.map(\.version) == migrator.migrations.map(\.version))
        #expect(!applied.isEmpty)
        let tables = try temporary.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["accounts", "orders", "fills", "positions", "account_snapshots", "decisions", "events", "schema_migrations"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let orderColumns = try temporary.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('orders')")
        }
        #expect(orderColumns.contains("slippage"))
        #expect(orderColumns.contains("rejection_reason"))
        let recorded = try temporary.database.read { db in
            try String.fetchAll(db, sql: "SELECT checksum FROM schema_migrations ORDER BY version")
        }
        #expect(recorded == migrator.migrations.map(\.checksum))
        #expect(recorded.allSatisfy { $0.count == 64 })
    }

    @Test("migrating twice applies nothing the second time")
    func migratingTwiceIsIdempotent() throws {
        let temporary = try TemporaryDatabase()
        let migrator = try Migrator(folder: packageMigrations)
        try migrator.migrate(temporary.database, now: 1)
        let second = try migrator.migrate(temporary.database, now: 2)
        #expect(second.isEmpty)
        #expect(try migrator.status(of: temporary.database).allSatisfy { $0.state == .applied })
    }

    @Test("the database runs in WAL mode with foreign keys on")
    func walAndForeignKeys() throws {
        let temporary = try TemporaryDatabase()
        let (journal, foreignKeys) = try temporary.database.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
    }

    @Test("a changed migration file stops start-up with a clear error and applies nothing")
    func tamperedChecksumIsRefused() throws {
        let temporary = try TemporaryDatabase()
        let first = Migration(version: 1, name: "first", sql: "CREATE TABLE a (x INTEGER);", checksum: "aaa")
        try Migrator(migrations: [first]).migrate(temporary.database, now: 1)
        let tampered = Migration(version: 1, name: "first", sql: "CREATE TABLE a (x TEXT);", checksum: "bbb")
        let second = Migration(version: 2, name: "second", sql: "CREATE TABLE b (y INTEGER);", checksum: "ccc")
        let migrator = try Migrator(migrations: [tampered, second])
        #expect(throws: StorageError.migrationChecksumMismatch(version: 1, name: "first")) {
            try migrator.migrate(temporary.database, now: 2)
        }
        let tableB = try temporary.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'")
        }
        #expect(tableB == 0)
        #expect(try migrator.status(of: temporary.database).map(\.state) == [.changed, .pending])
        #expect(StorageError.migrationChecksumMismatch(version: 1, name: "first").description.contains("changed after it was applied"))
    }

    @Test("a tampered file on disk is detected through its SHA-256")
    func tamperedFileOnDisk() throws {
        let temporary = try TemporaryDatabase()
        let folder = temporary.folder.file("migrations")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("0001_first.sql")
        try "CREATE TABLE a (x INTEGER);".write(to: file, atomically: true, encoding: .utf8)
        try Migrator(folder: folder.path).migrate(temporary.database, now: 1)
        try "CREATE TABLE a (x INTEGER); -- edited".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: StorageError.migrationChecksumMismatch(version: 1, name: "first")) {
            try Migrator(folder: folder.path).migrate(temporary.database, now: 2)
        }
    }

    @Test("a failing migration is rolled back whole and reported")
    func failingMigrationRollsBack() throws {
        let temporary = try TemporaryDatabase()
        let broken = Migration(version: 1, name: "broken", sql: "CREATE TABLE a (x INTEGER); INSERT INTO nowhere VALUES (1);", checksum: "x")
        #expect(throws: StorageError.self) { try Migrator(migrations: [broken]).migrate(temporary.database, now: 1) }
        let tables = try temporary.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('a')")
        }
        #expect(tables == 0)
    }

    @Test("badly named files and repeated versions are refused", arguments: ["1_short.sql", "0001-dash.sql", "0001_Upper.sql"])
    func badFileNames(_ name: String) {
        #expect(Migrator.parseFileName(name) == nil)
    }

    @Test("two files with one version are refused")
    func duplicateVersions() {
        let a = Migration(version: 3, name: "a", sql: "", checksum: "1")
        let b = Migration(version: 3, name: "b", sql: "", checksum: "2")
        #expect(throws: StorageError.duplicateMigrationVersion(3)) { try Migrator(migrations: [a, b]) }
    }
}
