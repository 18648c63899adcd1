import Foundation
import GRDB

/// What takes the space in a ledger file: rows and bytes per table (its indexes included), and
/// the file's pages. Bytes come from SQLite's `dbstat` table when the library has it; without
/// it they are nil and only the page totals are known.
public struct DatabaseStatistics: Sendable, Encodable {
    public struct Table: Sendable, Encodable {
        public var name: String
        public var rows: Int
        /// Bytes of the table's pages and of its indexes' pages; nil without `dbstat`.
        public var bytes: Int64?
        /// Of which the indexes'.
        public var index_bytes: Int64?
    }

    public var path: String
    public var file_bytes: Int64
    /// The write-ahead log beside the file (`-wal`), not yet checkpointed into it.
    public var wal_bytes: Int64
    public var page_size: Int
    public var page_count: Int
    public var free_pages: Int
    public var dbstat_available: Bool
    /// Largest first.
    public var tables: [Table]
}

extension ArenaDatabase {
    /// Counts every table's rows and measures its pages. Reads only; safe while the arena runs,
    /// though counting a big table takes a moment.
    public func statistics() throws -> DatabaseStatistics {
        try read { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            var bytes: [String: (table: Int64, indexes: Int64)]?
            if let rows = try? Row.fetchAll(db, sql: """
                SELECT m.tbl_name AS owner, m.type AS type, SUM(s.pgsize) AS bytes
                FROM dbstat AS s JOIN sqlite_master AS m ON m.name = s.name GROUP BY m.tbl_name, m.type
                """) {
                var found: [String: (table: Int64, indexes: Int64)] = [:]
                for row in rows {
                    let owner: String = row["owner"]
                    let size: Int64 = row["bytes"] ?? 0
                    var entry = found[owner] ?? (0, 0)
                    if (row["type"] as String) == "index" { entry.indexes += size } else { entry.table += size }
                    found[owner] = entry
                }
                bytes = found
            }
            var tables: [DatabaseStatistics.Table] = []
            for name in names {
                let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"") ?? 0
                let size = bytes.map { $0[name] ?? (0, 0) }
                tables.append(.init(name: name, rows: rows, bytes: size.map { $0.table + $0.indexes }, index_bytes: size?.indexes))
            }
            tables.sort { ($0.bytes ?? Int64($0.rows), $0.name) > ($1.bytes ?? Int64($1.rows), $1.name) }
            func fileSize(_ path: String) -> Int64 {
                ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            }
            return DatabaseStatistics(
                path: path, file_bytes: fileSize(path), wal_bytes: fileSize(path + "-wal"),
                page_size: try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0,
                page_count: try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0,
                free_pages: try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0,
                dbstat_available: bytes != nil, tables: tables)
        }
    }
}
