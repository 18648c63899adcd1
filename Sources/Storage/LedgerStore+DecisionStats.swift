import ArenaCore
import GRDB

/// What a group of driver calls cost and how they went: counts per outcome, tokens, exact USD
/// cost and latency.
public struct DecisionStatistics: Sendable, Hashable {
    /// The number of calls.
    public var decisions: Int
    public var accepted: Int
    public var holds: Int
    public var rejected: Int
    public var failed: Int
    public var promptTokens: Int
    public var completionTokens: Int
    /// The sum of the calls' costs (calls of unknown cost count as zero).
    public var costUSD: FixedDecimal
    /// The mean latency of calls that recorded one, in milliseconds.
    public var averageLatencyMilliseconds: Double?
    /// The slowest call, in milliseconds.
    public var maximumLatencyMilliseconds: Int?

    /// The share of calls that produced no decision (transport errors, unusable answers), 0 to 1.
    public var failureRate: Double { decisions == 0 ? 0 : Double(failed) / Double(decisions) }
    /// The share of calls that traded nothing because they were refused or failed, 0 to 1.
    public var unsuccessfulRate: Double { decisions == 0 ? 0 : Double(failed + rejected) / Double(decisions) }
    /// The mean cost of a call.
    public var averageCostUSD: FixedDecimal { decisions == 0 ? .zero : costUSD / FixedDecimal(decisions) }

    /// Statistics of no calls.
    public static let empty = DecisionStatistics(decisions: 0, accepted: 0, holds: 0, rejected: 0, failed: 0, promptTokens: 0,
                                                 completionTokens: 0, costUSD: .zero, averageLatencyMilliseconds: nil,
                                                 maximumLatencyMilliseconds: nil)
}

/// The statistics of one provider and model over every account that used it.
public struct ModelDecisionStatistics: Sendable, Hashable {
    public var provider: String?
    public var model: String?
    public var statistics: DecisionStatistics
}

extension LedgerStore {
    /// The aggregate columns every statistics query selects. Costs are summed as integers of
    /// 1e-8 USD, so the total is exact (each stored cost has at most eight decimals).
    private static let statisticsColumns = """
        COUNT(*) AS decisions,
        COALESCE(SUM(outcome = 'accepted'), 0) AS accepted,
        COALESCE(SUM(outcome = 'hold'), 0) AS holds,
        COALESCE(SUM(outcome = 'rejected'), 0) AS rejected,
        COALESCE(SUM(outcome = 'failed'), 0) AS failed,
        COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens,
        COALESCE(SUM(completion_tokens), 0) AS completion_tokens,
        COALESCE(SUM(CAST(ROUND(CAST(cost_usd AS REAL) * 100000000) AS INTEGER)), 0) AS cost_raw,
        AVG(latency_ms) AS average_latency,
        MAX(latency_ms) AS maximum_latency
        """

    private static func statistics(from row: Row) -> DecisionStatistics {
        DecisionStatistics(
            decisions: row["decisions"], accepted: row["accepted"], holds: row["holds"], rejected: row["rejected"], failed: row["failed"],
            promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"], costUSD: FixedDecimal(raw: row["cost_raw"]),
            averageLatencyMilliseconds: row["average_latency"], maximumLatencyMilliseconds: row["maximum_latency"])
    }

    /// Returns the statistics of one account's calls.
    public func decisionStatistics(of account: AccountID) throws -> DecisionStatistics {
        try database.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT \(Self.statisticsColumns) FROM decisions WHERE account_id = ?",
                                       arguments: [account.rawValue])
            return row.map(Self.statistics(from:)) ?? .empty
        }
    }

    /// Returns the statistics of every account that has calls, by account.
    public func decisionStatisticsByAccount() throws -> [AccountID: DecisionStatistics] {
        try database.read { db in
            var result: [AccountID: DecisionStatistics] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account_id, \(Self.statisticsColumns) FROM decisions GROUP BY account_id") {
                result[AccountID(row["account_id"])] = Self.statistics(from: row)
            }
            return result
        }
    }

    /// Returns the statistics per provider and model, over every account, sorted by provider and model.
    /// - Parameter since: Only calls at or after this market time, if given.
    public func decisionStatisticsByModel(since: Timestamp? = nil) throws -> [ModelDecisionStatistics] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT provider, model, \(Self.statisticsColumns) FROM decisions WHERE time >= ?
                GROUP BY provider, model ORDER BY provider, model
                """, arguments: [since?.milliseconds ?? Int64.min])
            return rows.map { row in
                ModelDecisionStatistics(provider: row["provider"], model: row["model"], statistics: Self.statistics(from: row))
            }
        }
    }
}
