import ArenaCore
import ArenaTestSupport
import Foundation
import Storage

/// A fresh SQLite database file in a temporary folder, not migrated; it closes and its folder
/// goes away with the value.
public final class TemporaryDatabase {
    /// The folder holding the database file (and anything else a test puts there).
    public let folder: TemporaryFolder
    /// The database file's path.
    public let path: String
    /// The open database.
    public let database: ArenaDatabase

    /// Opens `<folder>/<fileName>` in a new temporary folder named after `prefix` (under `parent`, if given).
    public init(prefix: String = "arena-test", in parent: URL? = nil, fileName: String = "arena.sqlite") throws {
        folder = try TemporaryFolder(prefix: prefix, in: parent)
        path = folder.path(fileName)
        database = try ArenaDatabase(path: path)
    }

    deinit { try? database.close() }
}

/// A ledger on a fresh SQLite file with the package's migrations applied: the database and
/// `LedgerStore` the tests build, optionally with plain accounts to hang things on.
public final class TestLedger {
    /// The database file and its folder.
    public let temporary: TemporaryDatabase
    /// The ledger over the database.
    public let ledger: LedgerStore

    /// Migrates a new database with `migrations` at time `migratedAt`, then creates `accounts`
    /// accounts named `account-1`, `account-2`... (buy and hold, BTC, 10,000 USD).
    public init(prefix: String = "arena-test", in parent: URL? = nil, migrations: String = packageMigrations,
                migratedAt now: Int64 = 0, accounts: Int = 0) throws {
        temporary = try TemporaryDatabase(prefix: prefix, in: parent)
        try Migrator(folder: migrations).migrate(temporary.database, now: now)
        ledger = LedgerStore(database: temporary.database)
        for index in 0..<accounts {
            guard let btc = Symbol("BTC"), let capital = FixedDecimal("10000") else { throw TestLedgerError.fixture }
            _ = try ledger.createAccount(NewAccount(name: "account-\(index + 1)", driverKind: "buy_and_hold", symbols: [btc],
                                                    initialCapital: capital), now: Timestamp(milliseconds: 1))
        }
    }

    /// The ledger (the name some tests use).
    public var store: LedgerStore { ledger }
    /// The open database.
    public var database: ArenaDatabase { temporary.database }
    /// The database file's path.
    public var path: String { temporary.path }
    /// The temporary folder holding the database.
    public var folder: TemporaryFolder { temporary.folder }

    /// The bytes of the database file and of its WAL and shared-memory files, as they are now.
    public func fileBytes() throws -> [(String, Data)] {
        try [path, path + "-wal", path + "-shm"].compactMap { file in
            FileManager.default.fileExists(atPath: file) ? (file, try Data(contentsOf: URL(fileURLWithPath: file))) : nil
        }
    }

    private enum TestLedgerError: Error { case fixture }
}
