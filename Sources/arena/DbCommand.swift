import ArgumentParser
import Foundation
import Storage

/// `arena db`: looks inside a ledger file.
struct DbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Inspect the arena's SQLite database.",
                                                    subcommands: [DbStatsCommand.self])
}

/// `arena db stats`: rows and bytes per table, the file's size and free pages.
struct DbStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Show what takes the space in the database: rows and bytes per table, file size and free pages.")

    @Option(help: "The SQLite database file.")
    var db = "data/arena.sqlite"

    @Flag(help: "Print the figures as JSON.")
    var json = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            throw ValidationError("No database at \(db): pass --db PATH (arena serve writes data/arena.sqlite by default).")
        }
        let database = try ArenaDatabase(path: db)
        defer { try? database.close() }
        let statistics = try database.statistics()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(statistics), as: UTF8.self))
            return
        }
        print(Self.render(statistics))
    }

    /// The statistics as a terminal table.
    static func render(_ statistics: DatabaseStatistics) -> String {
        let total = statistics.tables.reduce(Int64(0)) { $0 + ($1.bytes ?? 0) }
        var lines = [pad("table", 24) + padLeft("rows", 14) + padLeft("bytes", 12) + padLeft("indexes", 12) + padLeft("share", 8)]
        for table in statistics.tables {
            let share = table.bytes.map { total > 0 ? String(format: "%.1f%%", Double($0) * 100 / Double(total)) : "-" } ?? "-"
            lines.append(pad(table.name, 24) + padLeft(grouped(table.rows), 14) + padLeft(table.bytes.map(size) ?? "-", 12)
                         + padLeft(table.index_bytes.map(size) ?? "-", 12) + padLeft(share, 8))
        }
        lines.append("")
        lines.append("file \(statistics.path): \(size(statistics.file_bytes)) (\(grouped(statistics.page_count)) pages of "
                     + "\(statistics.page_size) B), \(grouped(statistics.free_pages)) free pages "
                     + "(\(size(Int64(statistics.free_pages) * Int64(statistics.page_size)))), write-ahead log \(size(statistics.wal_bytes))")
        if !statistics.dbstat_available {
            lines.append("This SQLite has no dbstat table: bytes per table are unknown; the page totals above are exact.")
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
    static func padLeft(_ text: String, _ width: Int) -> String { text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
