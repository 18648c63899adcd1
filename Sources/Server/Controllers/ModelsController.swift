import Arena
import ArenaCore
import Hummingbird
import Storage

/// `GET /api/models`: the leaderboard aggregated per driver and model, with what each model cost
/// and how reliably it answered.
struct ModelsController: Sendable {
    let arena: any ArenaInterface
    /// The past seasons `?season=NAME` answers from.
    let seasons: SeasonCatalog
    let cache = ResponseCache(lifetime: .seconds(1))

    /// Calls per group the latency percentile is taken over.
    static let latencySample = 5_000

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/api/models") { request, _ in
            if let season = request.uri.queryParameters["season"] { return try seasonModels(String(season)) }
            return try models()
        }
    }

    struct ModelLine: Encodable {
        let driver: String
        let provider: String?
        let model: String?
        let accounts: Int
        let mean_return_pct: Double
        /// Sample standard deviation of the accounts' returns.
        let return_spread_pct: Double?
        /// Mean of the accounts' Sharpe ratios (hourly returns; `sharpe_basis` says how), over those that have one.
        let mean_sharpe: Double?
        let mean_sortino: Double?
        let mean_max_drawdown_pct: Double
        let decisions: Int
        let prompt_tokens: Int
        let completion_tokens: Int
        let cost_usd: String
        let mean_latency_ms: Double?
        /// Over the newest 5,000 calls of the group.
        let p95_latency_ms: Int?
        /// Calls that produced no usable decision (transport errors, unparseable answers).
        let parse_failure_rate: Double
        /// Decisions refused by validation or the risk gate.
        let rejection_rate: Double
    }

    struct ModelsBody: Encodable {
        let models: [ModelLine]
        let sharpe_basis: String
    }

    func models() throws -> EncodedJSONResponse {
        EncodedJSONResponse(body: try cache.body(for: "models") {
            let entries = arena.ranking()
            let statistics = try arena.decisionStatisticsByAccount()
            let groups = Dictionary(grouping: entries) { "\($0.driver)\u{0}\($0.provider ?? "")\u{0}\($0.model ?? "")" }
            var lines: [ModelLine] = []
            for (_, group) in groups {
                guard let first = group.first else { continue }
                let returns = group.map(\.return_pct)
                let mean = returns.reduce(0, +) / Double(returns.count)
                let spread = returns.count > 1
                    ? (returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)).squareRoot() : nil
                let sharpes = group.compactMap(\.sharpe), sortinos = group.compactMap(\.sortino)
                let ids = group.map { AccountID($0.account_id) }
                let stats = ids.compactMap { statistics[$0] }
                let decisions = stats.reduce(0) { $0 + $1.decisions }
                let latencyWeight = stats.reduce(0.0) { $0 + ($1.averageLatencyMilliseconds ?? 0) * Double($1.decisions) }
                let latencies = try arena.recentLatencies(of: ids, limit: Self.latencySample).sorted()
                lines.append(ModelLine(
                    driver: first.driver, provider: first.provider, model: first.model, accounts: group.count,
                    mean_return_pct: mean, return_spread_pct: spread,
                    mean_sharpe: sharpes.isEmpty ? nil : sharpes.reduce(0, +) / Double(sharpes.count),
                    mean_sortino: sortinos.isEmpty ? nil : sortinos.reduce(0, +) / Double(sortinos.count),
                    mean_max_drawdown_pct: group.reduce(0) { $0 + $1.max_drawdown_pct } / Double(group.count),
                    decisions: decisions, prompt_tokens: stats.reduce(0) { $0 + $1.promptTokens },
                    completion_tokens: stats.reduce(0) { $0 + $1.completionTokens },
                    cost_usd: stats.reduce(FixedDecimal.zero) { $0 + $1.costUSD }.description,
                    mean_latency_ms: decisions == 0 ? nil : latencyWeight / Double(decisions),
                    p95_latency_ms: latencies.isEmpty ? nil : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.95))],
                    parse_failure_rate: decisions == 0 ? 0 : Double(stats.reduce(0) { $0 + $1.failed }) / Double(decisions),
                    rejection_rate: decisions == 0 ? 0 : Double(stats.reduce(0) { $0 + $1.rejected }) / Double(decisions)))
            }
            lines.sort { $0.mean_return_pct != $1.mean_return_pct ? $0.mean_return_pct > $1.mean_return_pct : $0.driver < $1.driver }
            return try JSON.encodeResponse(ModelsBody(models: lines, sharpe_basis: LeaderboardEntry.sharpeBasis))
        })
    }
}
