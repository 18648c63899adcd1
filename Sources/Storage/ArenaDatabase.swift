import Foundation
import GRDB

/// The arena's SQLite database: a GRDB `DatabasePool` in WAL mode with foreign keys on.
///
/// Opening it applies nothing; `Migrator` does. All writes go through `write`, one transaction per
/// ledger event, so a crash at any point leaves a consistent ledger.
public final class ArenaDatabase: Sendable {
    /// The underlying pool; readers run concurrently with the single writer.
    public let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path`, creating its folder.
    /// - Parameter scratch: For a file that is thrown away and rebuilt whenever its run did not
    ///   finish (a season's repeat ledger): SQLite never waits for the disk (`synchronous = OFF`),
    ///   which leaves a power loss able to corrupt it, and nothing else. The arena's own ledger
    ///   never sets it.
    /// - Throws: a GRDB `DatabaseError` when the file cannot be opened.
    public init(path: String, scratch: Bool = false) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "arena"
        configuration.prepareDatabase { db in
            // NORMAL is durable in WAL mode except for the last transactions before a power loss,
            // and never corrupts: the right trade for a ledger written thousands of times a second.
            try db.execute(sql: scratch ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = NORMAL")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
    }

    /// Runs `body` in one write transaction.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.write(body)
    }

    /// Runs `body` on a read connection (a consistent snapshot).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// Checkpoints the WAL and closes every connection.
    public func close() throws {
        pool.writeWithoutTransaction { db in
            _ = try? db.checkpoint(.truncate)
        }
        try pool.close()
    }
}
