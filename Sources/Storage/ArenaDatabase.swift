import CSQLite
import Foundation
import GRDB

/// The arena's SQLite database: a GRDB `DatabasePool` in WAL mode with foreign keys on, or, for
/// a run that is thrown away unless it finishes (a season's repeat), a database in memory that is
/// saved to its file once, at the end.
///
/// Opening it applies nothing; `Migrator` does. All writes go through `write`, one transaction per
/// ledger event, so a crash at any point leaves a consistent ledger.
public final class ArenaDatabase: Sendable {
    /// The underlying connections: a pool (readers run concurrently with the single writer) for a
    /// file, a single queue for a database in memory.
    public let writer: any DatabaseWriter
    /// The database's file; for a database in memory, where `save()` writes it.
    public let path: String
    /// Whether the database lives in memory until `save()`.
    public let isInMemory: Bool
    /// The keyframe each account's next prompt is compressed against, as last stored here.
    let promptKeyframes = PromptKeyframes()

    /// Opens (creating if needed) the database at `path`, creating its folder.
    /// - Throws: a GRDB `DatabaseError` when the file cannot be opened.
    public init(path: String) throws {
        try Self.createFolder(of: path)
        var configuration = Self.configuration
        configuration.prepareDatabase { db in
            // NORMAL is durable in WAL mode except for the last transactions before a power loss,
            // and never corrupts: the right trade for a ledger written thousands of times a second.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        writer = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        isInMemory = false
    }

    /// Opens an empty database in memory that `save()` writes to `path`: for a ledger that is
    /// rebuilt from scratch whenever its run did not finish (a season's repeat), so that none of
    /// its many small transactions waits for a file. It holds the whole ledger in memory.
    /// - Throws: a GRDB `DatabaseError`, or a file error when the folder cannot be created.
    public init(inMemorySavedTo path: String) throws {
        try Self.createFolder(of: path)
        var configuration = Self.configuration
        // Its writes share one transaction, open from one access to the next (see `transaction`).
        configuration.allowsUnsafeTransactions = true
        writer = try DatabaseQueue(configuration: configuration)
        self.path = path
        isInMemory = true
    }

    /// Set once, before the process's first connection (SQLite refuses it after): without its
    /// memory statistics, SQLite takes no process-wide lock on every allocation, which had threads
    /// writing separate databases (a season's repeats side by side) waiting on each other.
    private static let sqliteConfigured: Void = {
        _ = arena_sqlite_disable_memory_statistics()
    }()

    private static var configuration: Configuration {
        _ = sqliteConfigured
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "arena"
        return configuration
    }

    private static func createFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    /// Runs `body` in one write transaction (see `transaction(_:_:)`).
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction { db in try transaction(db, returning: { try body(db) }) }
    }

    /// Runs `body` in one transaction of its own with foreign key enforcement off, as SQLite's
    /// procedure for rebuilding a table that other tables reference requires (dropping the old
    /// table would otherwise delete through the references), and commits only if
    /// `PRAGMA foreign_key_check` then finds no reference dangling. Enforcement is back on after.
    /// - Throws: `StorageError.conflict` naming the first dangling reference, what `body` threw,
    ///   or a SQLite error; the change is then rolled back.
    public func writeWithForeignKeysOff(_ body: (Database) throws -> Void) throws {
        try writer.writeWithoutTransaction { db in
            // SQLite ignores the pragma inside a transaction; a ledger in memory keeps one open.
            if db.isInsideTransaction { try db.commit() }
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            let outcome = Result {
                try db.inTransaction {
                    try body(db)
                    if let dangling = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") {
                        let table: String = dangling[0] ?? "?"
                        let row: Int64 = dangling[1] ?? 0
                        let parent: String = dangling[2] ?? "?"
                        throw StorageError.conflict("row \(row) of \(table) refers to a missing row of \(parent)")
                    }
                    return .commit
                }
            }
            // A table rebuilt, or a change rolled back: what is kept about the ledger is looked up again.
            promptKeyframes.forgetAll()
            // Back on whatever happened, and not silently: every later write depends on it.
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try outcome.get()
        }
    }

    /// Runs `body` as one transaction (`transaction(_:_:)`) that commits unless it throws, and
    /// returns what it returned.
    /// - Throws: What `body` threw (the change is then rolled back), or a SQLite error.
    public func transaction<T>(_ db: Database, returning body: () throws -> T) throws -> T {
        var result: T?
        try transaction(db) {
            result = try body()
            return .commit
        }
        guard let result else { throw StorageError.notFound("the transaction's result") }
        return result
    }

    /// Runs `body` as one transaction of this database, on the writer's connection `db`: a
    /// transaction of its own for a file; for a database in memory, a savepoint of the one
    /// transaction that stays open until `save()`.
    ///
    /// A ledger in memory is lost whole unless its run finishes and saves it, so committing each
    /// change on its own buys nothing, while SQLite's begin and commit (the schema check, the
    /// journal's setup and teardown) cost as much as a decision's inserts. A savepoint still undoes
    /// a change that fails and leaves the others.
    /// - Throws: What `body` threw (the change is then rolled back), or a SQLite error.
    public func transaction(_ db: Database, _ body: () throws -> Database.TransactionCompletion) throws {
        guard isInMemory else {
            do {
                try db.inTransaction(nil) {
                    let completion = try body()
                    if completion == .rollback { promptKeyframes.forgetAll() }
                    return completion
                }
            } catch {
                promptKeyframes.forgetAll()
                throw error
            }
            return
        }
        if !db.isInsideTransaction { try db.beginTransaction() }
        // Cached statements stepped through the C API: GRDB's `inSavepoint` parses its two
        // statements anew on every call, which cost a season as much as the savepoints themselves,
        // and GRDB's `execute` adds its statement bookkeeping (for transaction observers, which a
        // ledger in memory has none of) to each, as much again as the stepping.
        try LedgerStatement(db, sql: "SAVEPOINT arena_change").run { _ in }
        let completion: Database.TransactionCompletion
        do {
            completion = try body()
        } catch {
            try? rollBackChange(db)
            throw error
        }
        switch completion {
        case .commit:
            do {
                try LedgerStatement(db, sql: "RELEASE SAVEPOINT arena_change").run { _ in }
            } catch {
                try? rollBackChange(db)
                throw error
            }
        case .rollback:
            try rollBackChange(db)
        }
    }

    /// Undoes everything since the innermost `SAVEPOINT arena_change` and ends that savepoint.
    private func rollBackChange(_ db: Database) throws {
        promptKeyframes.forgetAll()
        try LedgerStatement(db, sql: "ROLLBACK TRANSACTION TO SAVEPOINT arena_change").run { _ in }
        try LedgerStatement(db, sql: "RELEASE SAVEPOINT arena_change").run { _ in }
    }

    /// Runs `body` on a read connection (a consistent snapshot).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }

    /// Commits a database in memory and writes it to `path` (replacing the file); a file database
    /// is already there.
    ///
    /// SQLite's online backup copies the pages as they are; `VACUUM INTO` would rebuild every table
    /// and index row by row, which took as long as a tenth of a season's repeat.
    /// - Throws: a SQLite error when the file cannot be written.
    public func save() throws {
        guard isInMemory else { return }
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try writer.writeWithoutTransaction { db in
            if db.isInsideTransaction { try db.commit() }
        }
        var configuration = Self.configuration
        configuration.label = "arena-save"
        let file = try DatabaseQueue(path: path, configuration: configuration)
        try writer.backup(to: file)
        try file.close()
    }

    /// Checkpoints the WAL and closes every connection.
    public func close() throws {
        if !isInMemory {
            writer.writeWithoutTransaction { db in
                _ = try? db.checkpoint(.truncate)
            }
        }
        try writer.close()
    }
}
