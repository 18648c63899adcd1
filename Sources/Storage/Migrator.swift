import Foundation
import GRDB

/// One numbered SQL file of `migrations/`.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sql: String
    /// SHA-256 of the file's bytes.
    public let checksum: String

    /// The first line a migration starts with when it rebuilds a table that others reference
    /// (SQLite's procedure for changes `ALTER TABLE` cannot make): it then runs with foreign key
    /// enforcement off, and commits only if no reference dangles afterwards.
    public static let foreignKeysOffDirective = "-- migrator: foreign keys off"

    /// Whether the migration runs with foreign key enforcement off (`foreignKeysOffDirective`).
    public var runsWithForeignKeysOff: Bool { sql.hasPrefix(Self.foreignKeysOffDirective) }
}

/// A migration's state in one database, for `arena migrate --status`.
public struct MigrationStatus: Sendable, Hashable {
    public enum State: String, Sendable { case applied, pending, changed }
    public let version: Int
    public let name: String
    public let state: State
    public let appliedAt: Int64?
}

/// Applies the numbered SQL files of a folder in order, each once, each in its own transaction,
/// recording version, name and checksum in `schema_migrations`.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    /// Loads every `NNNN_name.sql` of `folder`, sorted by version.
    /// - Throws: `StorageError` for a missing folder, a badly named file or a repeated version.
    public init(folder: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StorageError.migrationsFolderMissing(folder)
        }
        var loaded: [Migration] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where file.hasSuffix(".sql") {
            guard let (version, name) = Self.parseFileName(file) else { throw StorageError.badMigrationFileName(file) }
            let data = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(file))
            let bytes = [UInt8](data)
            loaded.append(Migration(version: version, name: name, sql: String(decoding: bytes, as: UTF8.self),
                                    checksum: SHA256.hexDigest(bytes)))
        }
        try self.init(migrations: loaded)
    }

    /// Uses the given migrations (tests).
    public init(migrations: [Migration]) throws {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.version == b.version {
            throw StorageError.duplicateMigrationVersion(a.version)
        }
        self.migrations = sorted
    }

    static func parseFileName(_ file: String) -> (Int, String)? {
        let stem = file.dropLast(4)
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]),
              parts[1].utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 })
        else { return nil }
        return (version, String(parts[1]))
    }

    static let bookkeepingSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            checksum   TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        )
        """

    /// Reports every migration as applied, pending or changed.
    public func status(of database: ArenaDatabase) throws -> [MigrationStatus] {
        let applied = try appliedMigrations(database)
        return migrations.map { migration in
            guard let record = applied[migration.version] else {
                return MigrationStatus(version: migration.version, name: migration.name, state: .pending, appliedAt: nil)
            }
            let state: MigrationStatus.State = record.checksum == migration.checksum ? .applied : .changed
            return MigrationStatus(version: migration.version, name: migration.name, state: state, appliedAt: record.appliedAt)
        }
    }

    /// Applies every pending migration and returns the ones it applied.
    /// - Throws: `StorageError.migrationChecksumMismatch` if an applied file was changed (before
    ///   applying anything), `.unknownAppliedMigration`, or `.migrationFailed` (that migration is
    ///   rolled back; earlier ones stay).
    @discardableResult
    public func migrate(_ database: ArenaDatabase, now: Int64) throws -> [Migration] {
        let applied = try appliedMigrations(database)
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else {
                throw StorageError.unknownAppliedMigration(version: version, name: record.name)
            }
            guard migration.checksum == record.checksum else {
                throw StorageError.migrationChecksumMismatch(version: version, name: migration.name)
            }
        }
        var done: [Migration] = []
        for migration in migrations where applied[migration.version] == nil {
            let apply = { (db: Database) in
                try db.execute(sql: migration.sql)
                try db.execute(
                    sql: "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                    arguments: [migration.version, migration.name, migration.checksum, now])
            }
            do {
                if migration.runsWithForeignKeysOff {
                    try database.writeWithForeignKeysOff(apply)
                } else {
                    try database.write(apply)
                }
            } catch let error as DatabaseError {
                throw StorageError.migrationFailed(version: migration.version, name: migration.name,
                                                   reason: error.message ?? "SQLite error \(error.resultCode)")
            } catch StorageError.conflict(let reason) {
                throw StorageError.migrationFailed(version: migration.version, name: migration.name, reason: reason)
            }
            done.append(migration)
        }
        return done
    }

    private func appliedMigrations(_ database: ArenaDatabase) throws -> [Int: (name: String, checksum: String, appliedAt: Int64)] {
        try database.write { db in
            try db.execute(sql: Self.bookkeepingSQL)
            var result: [Int: (name: String, checksum: String, appliedAt: Int64)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT version, name, checksum, applied_at FROM schema_migrations") {
                result[row["version"]] = (row["name"], row["checksum"], row["applied_at"])
            }
            return result
        }
    }
}
