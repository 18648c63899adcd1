import ArenaCore
import ArgumentParser
import Foundation
import Storage

/// `arena migrate`: applies pending migrations, or lists them with `--status`.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    @Option(help: "The SQLite database file.")
    var db = "data/arena.sqlite"

    @Option(help: "The folder of numbered SQL migrations (default: ./migrations, or the one beside the binary).")
    var migrations: String?

    @Flag(help: "List every migration as applied, pending or changed, and apply nothing.")
    var status = false

    func run() throws {
        let database = try ArenaDatabase(path: db)
        defer { try? database.close() }
        let migrator = try Migrator(folder: try migrationsFolder(migrations))
        if status {
            for entry in try migrator.status(of: database) {
                let version = String(format: "%04d", entry.version)
                print("\(version) \(entry.name) \(entry.state.rawValue)")
            }
            return
        }
        let applied = try migrator.migrate(database, now: SystemClock().now().milliseconds)
        if applied.isEmpty {
            print("The database is up to date (\(migrator.migrations.count) migrations).")
        } else {
            for migration in applied { print("applied \(String(format: "%04d", migration.version)) \(migration.name)") }
        }
    }
}

/// The migrations folder: the one given, or the one `ResourceLocator` finds.
func migrationsFolder(_ given: String?) throws -> String {
    if let given { return given }
    guard let found = ResourceLocator.folder("migrations") else {
        throw ValidationError("The migrations folder was not found; run arena from the repository folder or pass --migrations PATH.")
    }
    return found
}
