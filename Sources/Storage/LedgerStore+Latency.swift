import ArenaCore
import GRDB

extension LedgerStore {
    /// Latencies in milliseconds of the newest `limit` calls of the given accounts, for percentiles.
    public func recentLatencies(of accounts: [AccountID], limit: Int) throws -> [Int] {
        guard !accounts.isEmpty else { return [] }
        let placeholders = accounts.map { _ in "?" }.joined(separator: ",")
        return try database.read { db in
            try Int.fetchAll(db, sql: """
                SELECT latency_ms FROM decisions WHERE account_id IN (\(placeholders)) AND latency_ms IS NOT NULL
                ORDER BY id DESC LIMIT ?
                """, arguments: StatementArguments(accounts.map(\.rawValue) + [Int64(limit)]))
        }
    }
}
