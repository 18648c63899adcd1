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

    @Test("migration 0017 rebuilds decisions with every row, column and reference kept, and the same checks")
    func decisionsRebuiltWithTheirRows() throws {
        // A ledger as arena left it before migration 0017, with decisions that orders and later
        // prompts refer to.
        let folder = try TemporaryFolder(prefix: "arena-migrations")
        for file in try FileManager.default.contentsOfDirectory(atPath: packageMigrations) where file < "0017" && file.hasSuffix(".sql") {
            try FileManager.default.copyItem(atPath: packageMigrations + "/" + file, toPath: folder.path(file))
        }
        let test = try TestLedger(migrations: folder.path, accounts: 1)
        try test.database.write { db in
            try db.execute(sql: """
                INSERT INTO decisions (id, account_id, time, driver_kind, provider, outcome, rejection_reason, prompt_zstd)
                VALUES (7, 1, 5, 'llm', 'openai', 'rejected', 'too large', x'28b52ffd')
                """)
            try db.execute(sql: "INSERT INTO decisions (id, account_id, time, driver_kind, outcome, prompt_base) VALUES (9, 1, 6, 'llm', 'accepted', 7)")
            for (index, status) in ["open", "filled", "waiting_trigger"].enumerated() {
                try db.execute(sql: """
                    INSERT INTO orders (account_id, decision_id, cloid, mode, origin, symbol, side, type, size, status, created_at, updated_at)
                    VALUES (1, 9, ?, 'paper', 'driver', 'BTC', 'buy', 'market', '1', ?, 6, 6)
                    """, arguments: [String(format: "0x%032x", index + 1), status])
            }
        }
        let rows = { (db: Database) in try Row.fetchAll(db, sql: "SELECT * FROM decisions ORDER BY id") }
        let before = try test.database.read(rows)
        let columnsBefore = try test.database.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('decisions')") }

        let applied = try Migrator(folder: packageMigrations).migrate(test.database, now: 1)
        #expect(applied.map(\.version).contains(17))
        #expect(try test.database.read(rows) == before)
        #expect(try test.database.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('decisions')") } == columnsBefore)
        try test.database.read { db in
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders WHERE decision_id = 9") == 3)
            // What the unfinished orders are read by uses the rebuilt partial index.
            let plan = try String.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT * FROM orders WHERE account_id = 1 AND (status = 'pending' OR status = 'open' OR status = 'waiting_trigger')
                """, adapter: SuffixRowAdapter(fromIndex: 3))
            #expect(plan.contains { $0.contains("orders_not_final") }, "\(plan)")
        }
        #expect(try test.ledger.unfinishedOrders(of: AccountID(1)).map(\.order.status.rawValue) == ["open", "waiting_trigger"])
        // The checks still hold: an unknown outcome, a decision of a missing account, a base that is no decision.
        for insert in ["INSERT INTO decisions (account_id, time, driver_kind, outcome) VALUES (1, 7, 'llm', 'maybe')",
                       "INSERT INTO decisions (account_id, time, driver_kind, outcome) VALUES (99, 7, 'llm', 'hold')",
                       "INSERT INTO decisions (account_id, time, driver_kind, outcome, prompt_base) VALUES (1, 7, 'llm', 'hold', 999)"] {
            #expect(throws: DatabaseError.self, "\(insert)") { try test.database.write { db in try db.execute(sql: insert) } }
        }
    }

    @Test("a migration run with foreign keys off that leaves a reference dangling is rolled back whole, and the keys are on again")
    func danglingReferenceRollsBack() throws {
        let temporary = try TemporaryDatabase()
        let sql = Migration.foreignKeysOffDirective + """

            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (parent_id INTEGER REFERENCES parent(id));
            INSERT INTO child VALUES (5);
            """
        let migration = Migration(version: 1, name: "dangling", sql: sql, checksum: "x")
        #expect(migration.runsWithForeignKeysOff)
        #expect(throws: StorageError.migrationFailed(version: 1, name: "dangling", reason: "row 1 of child refers to a missing row of parent")) {
            try Migrator(migrations: [migration]).migrate(temporary.database, now: 1)
        }
        let tables = try temporary.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('parent', 'child')")
        }
        #expect(tables == 0)
        let foreignKeys = try temporary.database.write { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(foreignKeys == 1)
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
