/// What can go wrong in the storage layer, in words an operator can act on.
public enum StorageError: Error, CustomStringConvertible, Equatable {
    case migrationsFolderMissing(String)
    case badMigrationFileName(String)
    case duplicateMigrationVersion(Int)
    case migrationChecksumMismatch(version: Int, name: String)
    case unknownAppliedMigration(version: Int, name: String)
    case migrationFailed(version: Int, name: String, reason: String)
    case notFound(String)
    case corruptValue(table: String, column: String)
    case conflict(String)

    public var description: String {
        switch self {
        case .migrationsFolderMissing(let path):
            "The migrations folder was not found at \(path). Run arena from the repository folder or pass --migrations PATH."
        case .badMigrationFileName(let name):
            "The migration file \(name) is not named NNNN_name.sql (four digits, an underscore, lowercase letters, digits or underscores)."
        case .duplicateMigrationVersion(let version):
            "Two migration files share the version \(version); every version must be unique."
        case .migrationChecksumMismatch(let version, let name):
            "Migration \(version) (\(name)) was changed after it was applied to this database: its checksum differs from the one recorded. Restore the original file; add a new migration for new changes."
        case .unknownAppliedMigration(let version, let name):
            "The database has migration \(version) (\(name)) applied, but no such file exists: this database was migrated by another version of arena."
        case .migrationFailed(let version, let name, let reason):
            "Migration \(version) (\(name)) failed and was rolled back: \(reason)"
        case .notFound(let what):
            "\(what) was not found."
        case .corruptValue(let table, let column):
            "The database holds a value in \(table).\(column) that arena cannot read."
        case .conflict(let what):
            what
        }
    }
}
