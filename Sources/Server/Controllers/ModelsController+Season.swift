import Arena
import Hummingbird

extension ModelsController {
    /// A line of `/api/models?season=NAME`: the fields of a live line that a season knows, null
    /// for the others (tokens, latency, rejections are not part of a season's results), and the
    /// season's intervals.
    struct SeasonModelLine: Encodable {
        /// `model` for a model (its prompt variants averaged), `baseline` for a rule-based entrant.
        let driver: String
        let provider: String?
        let model: String
        /// Its entrants: a model's variants, or the baseline itself.
        let accounts: Int
        let mean_return_pct: Double?
        /// Sample standard deviation of the per-repeat returns.
        let return_spread_pct: Double?
        let return_ci_low: Double?
        let return_ci_high: Double?
        let mean_sharpe: Double?
        let mean_sortino: Double?
        let mean_max_drawdown_pct: Double?
        let decisions: Int
        let prompt_tokens: Int?
        let completion_tokens: Int?
        let cost_usd: String
        let mean_latency_ms: Double?
        let p95_latency_ms: Int?
        let parse_failure_rate: Double
        let rejection_rate: Double?
        let repeats: Int
        let tier: Int?
    }

    struct SeasonModelsBody: Encodable {
        let season: String
        let models: [SeasonModelLine]
        let sharpe_basis: String
    }

    /// `GET /api/models?season=NAME`: that season's per-model statistics (its `results.json`'s
    /// models and baselines) in the shape of `/api/models`, in the season's ranking order.
    /// - Throws: `APIError` 400 for a malformed name, 404 for an unknown season.
    func seasonModels(_ name: String) throws -> EncodedJSONResponse {
        let season = try SeasonsController.season(named: name, in: seasons)
        let statistics = season.statistics
        let tiers = Dictionary(statistics.ranking.map { ("\($0.kind) \($0.name)", $0.tier) }, uniquingKeysWith: { first, _ in first })
        let returnsByEntrant = Dictionary(grouping: statistics.runs.filter { $0.failure == nil }, by: \.entrant)
        func spread(_ values: [Double]) -> Double? {
            guard values.count > 1 else { return nil }
            let mean = values.reduce(0, +) / Double(values.count)
            return SeasonStatistics.rounded((values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot())
        }
        func failureRate(_ failed: Int, _ decisions: Int) -> Double { decisions == 0 ? 0 : Double(failed) / Double(decisions) }
        var lines: [SeasonModelLine] = []
        for model in statistics.models {
            let perRepeat = model.repeats_used.map { index in
                let values = model.variants.compactMap { variant in returnsByEntrant[variant]?.first { $0.repeat == index }?.return_pct }
                return values.reduce(0, +) / Double(max(1, values.count))
            }
            let metrics = model.metrics
            lines.append(SeasonModelLine(
                driver: "model", provider: nil, model: model.model, accounts: model.variants.count,
                mean_return_pct: metrics.return_pct?.mean, return_spread_pct: spread(perRepeat),
                return_ci_low: metrics.return_pct?.ci_low, return_ci_high: metrics.return_pct?.ci_high,
                mean_sharpe: metrics.sharpe?.mean, mean_sortino: metrics.sortino?.mean, mean_max_drawdown_pct: metrics.max_drawdown_pct?.mean,
                decisions: model.decisions, prompt_tokens: nil, completion_tokens: nil, cost_usd: model.total_model_cost_usd,
                mean_latency_ms: nil, p95_latency_ms: nil, parse_failure_rate: failureRate(model.failed_decisions, model.decisions),
                rejection_rate: nil, repeats: model.repeats_used.count, tier: tiers["model \(model.model)"]))
        }
        for entrant in statistics.entrants where entrant.kind == "baseline" {
            let metrics = entrant.metrics
            lines.append(SeasonModelLine(
                driver: "baseline", provider: nil, model: entrant.name, accounts: 1,
                mean_return_pct: metrics.return_pct?.mean,
                return_spread_pct: spread((returnsByEntrant[entrant.name] ?? []).compactMap(\.return_pct)),
                return_ci_low: metrics.return_pct?.ci_low, return_ci_high: metrics.return_pct?.ci_high,
                mean_sharpe: metrics.sharpe?.mean, mean_sortino: metrics.sortino?.mean, mean_max_drawdown_pct: metrics.max_drawdown_pct?.mean,
                decisions: entrant.decisions, prompt_tokens: nil, completion_tokens: nil, cost_usd: entrant.total_model_cost_usd,
                mean_latency_ms: nil, p95_latency_ms: nil, parse_failure_rate: failureRate(entrant.failed_decisions, entrant.decisions),
                rejection_rate: nil, repeats: entrant.completed_repeats, tier: tiers["baseline \(entrant.name)"]))
        }
        let order = Dictionary(statistics.ranking.enumerated().map { ("\($1.kind) \($1.name)", $0) }, uniquingKeysWith: { first, _ in first })
        lines.sort { (order["\($0.driver) \($0.model)"] ?? .max, $0.model) < (order["\($1.driver) \($1.model)"] ?? .max, $1.model) }
        return EncodedJSONResponse(body: EncodedBody(json: try JSON.encodeResponse(
            SeasonModelsBody(season: statistics.season, models: lines, sharpe_basis: statistics.method.sharpe_basis))))
    }
}
