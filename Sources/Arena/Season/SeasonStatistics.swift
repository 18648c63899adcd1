import ArenaCore

/// A season's statistics, computed from its runs: per entrant and per model (its variants
/// averaged), each metric's mean with a 95% bootstrap interval over the repeats, each model
/// against each baseline as a paired difference of returns with its interval and p-value, and a
/// ranking that says which differences are not significant. Failed runs are listed, never averaged
/// in. This is `results.json`; its keys are the JSON's.
///
/// Ratios are `Double` statistics rounded to six decimals so the bytes repeat; money totals stay
/// exact decimal text.
public struct SeasonStatistics: Sendable, Hashable, Codable {
    /// A metric's mean over repeats and its 95% percentile-bootstrap interval.
    public struct Estimate: Sendable, Hashable, Codable {
        public var mean: Double
        public var ci_low: Double
        public var ci_high: Double
        /// Repeats the estimate is over.
        public var n: Int
    }

    /// The metrics estimated for an entrant or a model.
    public struct Metrics: Sendable, Hashable, Codable {
        /// Return on the initial capital, in percent.
        public var return_pct: Estimate?
        /// Annualised Sharpe ratio of hourly returns (`HourlyReturns`); repeats without one left out.
        public var sharpe: Estimate?
        public var sortino: Estimate?
        /// Deepest fall from the high-water mark of the hourly equity, in percent.
        public var max_drawdown_pct: Estimate?
        /// Share of closed trades with a positive PnL after fees, in percent; repeats without one left out.
        public var win_rate_pct: Estimate?
        public var fees_usd: Estimate?
        public var model_cost_usd: Estimate?
    }

    /// One entrant's outcome in one repeat.
    public struct RunSummary: Sendable, Hashable, Codable {
        public var entrant: String
        public var `repeat`: Int
        /// The engine's seed, as text (a 64-bit number does not fit a JSON number exactly).
        public var seed: String
        public var failure: String?
        public var return_pct: Double?
        public var sharpe: Double?
        public var sharpe_reason: String?
        public var sortino: Double?
        public var sortino_reason: String?
        public var max_drawdown_pct: Double?
        public var win_rate_pct: Double?
        public var closed_trades: Int
        public var fees: String
        public var model_cost_usd: String
        public var decisions: Int
        public var failed_decisions: Int
    }

    /// An entrant: a model's prompt variant or a baseline.
    public struct EntrantStatistics: Sendable, Hashable, Codable {
        public var name: String
        public var model: String?
        public var variant: String?
        /// `model` or `baseline`.
        public var kind: String
        public var completed_repeats: Int
        public var failed_repeats: Int
        public var metrics: Metrics
        /// Over the completed repeats, exact.
        public var total_fees: String
        public var total_model_cost_usd: String
        public var decisions: Int
        public var failed_decisions: Int
    }

    /// A model: the average of its variants in each repeat every variant completed.
    public struct ModelStatistics: Sendable, Hashable, Codable {
        public var model: String
        public var variants: [String]
        /// Repeats in which every variant completed: the model's index is over these.
        public var repeats_used: [Int]
        /// Repeats left out because a variant failed in them.
        public var repeats_excluded: [Int]
        public var metrics: Metrics
        public var total_fees: String
        public var total_model_cost_usd: String
        public var decisions: Int
        public var failed_decisions: Int
    }

    /// A model against a baseline: the paired difference of their returns per repeat.
    public struct Comparison: Sendable, Hashable, Codable {
        public var model: String
        public var baseline: String
        /// Repeats both completed.
        public var pairs: Int
        /// Mean of model return minus baseline return, in percentage points, with its interval.
        public var mean_difference_pct: Double?
        public var ci_low: Double?
        public var ci_high: Double?
        public var p_value: Double?
        /// The interval leaves zero out and the p-value is below 0.05.
        public var significant: Bool
    }

    /// A line of the ranking of models (their index) and baselines by mean return.
    public struct RankingRow: Sendable, Hashable, Codable {
        public var rank: Int
        /// Rows whose difference from the tier's first row is not significant share its tier.
        public var tier: Int
        public var name: String
        /// `model` or `baseline`.
        public var kind: String
        public var mean_return_pct: Double?
        public var ci_low: Double?
        public var ci_high: Double?
        public var repeats: Int
        /// Rows above this one from which its paired difference of returns is not significant.
        public var not_significantly_different_from: [String]
    }

    /// A failed run: reported, never averaged in.
    public struct Failure: Sendable, Hashable, Codable {
        public var entrant: String
        public var `repeat`: Int
        public var seed: String
        public var reason: String
    }

    /// How every number was computed, stated once.
    public struct Method: Sendable, Hashable, Codable {
        public var sharpe_basis: String
        public var intervals: String
        public var p_values: String
        public var significance: String
        public var model_index: String
        public var failures: String
    }

    public var season: String
    /// Repeats in the season (the highest repeat index plus one).
    public var repeats: Int
    public var method: Method
    public var entrants: [EntrantStatistics]
    public var models: [ModelStatistics]
    public var comparisons: [Comparison]
    public var ranking: [RankingRow]
    public var failures: [Failure]
    public var runs: [RunSummary]
}

extension SeasonStatistics {
    /// One run's measured values, or a model's average of its variants' in one repeat.
    struct Values: Sendable {
        var returnPercent: Double
        var sharpe: Double?
        var sortino: Double?
        var maxDrawdownPercent: Double
        var winRatePercent: Double?
        var fees: Double
        var modelCost: Double

        /// The values of a completed run.
        init(_ run: SeasonEntrantRun) {
            let equities = run.hourlyEquity.map(\.equity)
            let ending = equities.last ?? run.initialCapital
            returnPercent = run.initialCapital.isPositive
                ? (ending - run.initialCapital).doubleValue / run.initialCapital.doubleValue * 100 : 0
            let returns = HourlyReturns(equities: equities)
            sharpe = returns.sharpe.value
            sortino = returns.sortino.value
            var curve = EquityStatistics()
            for point in run.hourlyEquity { curve.add(equity: point.equity, marginUsed: .zero, time: point.time) }
            maxDrawdownPercent = curve.maxDrawdown * 100
            let wins = run.closedTradePnL.filter(\.isPositive).count
            winRatePercent = run.closedTradePnL.isEmpty ? nil : Double(wins) * 100 / Double(run.closedTradePnL.count)
            fees = run.fees.doubleValue
            modelCost = run.modelCostUSD.doubleValue
        }

        /// The average of `parts` (a model's variants in one repeat); a ratio missing in some parts
        /// is the average of the others'.
        init(averaging parts: [Values]) {
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }
            func optionalMean(_ values: [Double]) -> Double? { values.isEmpty ? nil : mean(values) }
            returnPercent = mean(parts.map(\.returnPercent))
            sharpe = optionalMean(parts.compactMap(\.sharpe))
            sortino = optionalMean(parts.compactMap(\.sortino))
            maxDrawdownPercent = mean(parts.map(\.maxDrawdownPercent))
            winRatePercent = optionalMean(parts.compactMap(\.winRatePercent))
            fees = mean(parts.map(\.fees))
            modelCost = mean(parts.map(\.modelCost))
        }
    }

    /// Computes the statistics of `runs`.
    /// - Parameters:
    ///   - season: The season's name, written as `season`.
    ///   - runs: Every entrant's every repeat, failed ones included.
    public init(season: String, runs: [SeasonEntrantRun]) {
        let ordered = runs.sorted { ($0.entrant, $0.repeatIndex) < ($1.entrant, $1.repeatIndex) }
        self.season = season
        repeats = (ordered.map(\.repeatIndex).max() ?? -1) + 1
        method = Method(
            sharpe_basis: HourlyReturns.basis,
            intervals: "mean over the completed repeats with a 95% percentile bootstrap interval: \(SeasonResampling.resamples) "
                + "resamples with replacement, seeded by the statistic's label (FNV-1a), the 2.5% and 97.5% nearest-rank means",
            p_values: "two-sided paired sign-flip permutation test of the per-repeat differences of returns: exact over "
                + "all sign patterns up to \(SeasonResampling.exactSignFlipLimit) pairs, else \(SeasonResampling.resamples) seeded "
                + "patterns; with n pairs the smallest possible exact p-value is 2/2^n (0.0625 for 5 repeats)",
            significance: "a difference is significant when its bootstrap interval leaves 0 out and its p-value is below "
                + "\(SeasonResampling.significanceLevel); ranking rows share a tier while their difference from the tier's first row is not",
            model_index: "a model's value in a repeat is the mean of its variants' values; only repeats in which every variant completed count",
            failures: "failed runs are listed in failures and left out of every statistic")

        var valuesByEntrant: [String: [Int: Values]] = [:]
        var summaries: [RunSummary] = []
        var failures: [Failure] = []
        for run in ordered {
            let seed = String(run.seed)
            if let reason = run.failure {
                failures.append(Failure(entrant: run.entrant, repeat: run.repeatIndex, seed: seed, reason: reason))
                summaries.append(RunSummary(entrant: run.entrant, repeat: run.repeatIndex, seed: seed, failure: reason,
                                            closed_trades: run.closedTradePnL.count, fees: run.fees.description,
                                            model_cost_usd: run.modelCostUSD.description, decisions: run.decisions,
                                            failed_decisions: run.failedDecisions))
                continue
            }
            let values = Values(run)
            valuesByEntrant[run.entrant, default: [:]][run.repeatIndex] = values
            let returns = HourlyReturns(equities: run.hourlyEquity.map(\.equity))
            summaries.append(RunSummary(
                entrant: run.entrant, repeat: run.repeatIndex, seed: seed, failure: nil,
                return_pct: Self.rounded(values.returnPercent), sharpe: values.sharpe.flatMap(Self.rounded),
                sharpe_reason: returns.sharpe.reason, sortino: values.sortino.flatMap(Self.rounded), sortino_reason: returns.sortino.reason,
                max_drawdown_pct: Self.rounded(values.maxDrawdownPercent), win_rate_pct: values.winRatePercent.flatMap(Self.rounded),
                closed_trades: run.closedTradePnL.count, fees: run.fees.description, model_cost_usd: run.modelCostUSD.description,
                decisions: run.decisions, failed_decisions: run.failedDecisions))
        }
        self.failures = failures
        self.runs = summaries

        // Entrants.
        let byEntrant = Dictionary(grouping: ordered, by: \.entrant)
        var entrants: [EntrantStatistics] = []
        for name in byEntrant.keys.sorted() {
            let all = byEntrant[name] ?? []
            let completed = all.filter { $0.failure == nil }
            let first = all.first
            entrants.append(EntrantStatistics(
                name: name, model: first?.model, variant: first?.variant, kind: first?.model == nil ? "baseline" : "model",
                completed_repeats: completed.count, failed_repeats: all.count - completed.count,
                metrics: Self.metrics(of: valuesByEntrant[name] ?? [:], label: "entrant \(name)"),
                total_fees: completed.reduce(FixedDecimal.zero) { $0 + $1.fees }.description,
                total_model_cost_usd: completed.reduce(FixedDecimal.zero) { $0 + $1.modelCostUSD }.description,
                decisions: completed.reduce(0) { $0 + $1.decisions }, failed_decisions: completed.reduce(0) { $0 + $1.failedDecisions }))
        }
        self.entrants = entrants

        // Models: every variant's values averaged in each repeat all of them completed.
        var contestants: [(name: String, kind: String, values: [Int: Values])] = []
        var models: [ModelStatistics] = []
        let byModel = Dictionary(grouping: ordered.filter { $0.model != nil }) { $0.model ?? "" }
        for model in byModel.keys.sorted() {
            let runsOfModel = byModel[model] ?? []
            let variants = Set(runsOfModel.map(\.entrant)).sorted()
            let repeatsOfModel = Set(runsOfModel.map(\.repeatIndex)).sorted()
            var perRepeat: [Int: Values] = [:]
            var excluded: [Int] = []
            for index in repeatsOfModel {
                let parts = variants.compactMap { valuesByEntrant[$0]?[index] }
                if parts.count == variants.count { perRepeat[index] = Values(averaging: parts) } else { excluded.append(index) }
            }
            let used = perRepeat.keys.sorted()
            let counted = runsOfModel.filter { $0.failure == nil && perRepeat[$0.repeatIndex] != nil }
            models.append(ModelStatistics(
                model: model, variants: variants, repeats_used: used, repeats_excluded: excluded,
                metrics: Self.metrics(of: perRepeat, label: "model \(model)"),
                total_fees: counted.reduce(FixedDecimal.zero) { $0 + $1.fees }.description,
                total_model_cost_usd: counted.reduce(FixedDecimal.zero) { $0 + $1.modelCostUSD }.description,
                decisions: counted.reduce(0) { $0 + $1.decisions }, failed_decisions: counted.reduce(0) { $0 + $1.failedDecisions }))
            contestants.append((model, "model", perRepeat))
        }
        self.models = models
        let baselines = entrants.filter { $0.kind == "baseline" }.map(\.name)
        for baseline in baselines { contestants.append((baseline, "baseline", valuesByEntrant[baseline] ?? [:])) }

        // Each model against each baseline.
        var comparisons: [Comparison] = []
        for model in models {
            let modelValues = contestants.first { $0.name == model.model && $0.kind == "model" }?.values ?? [:]
            for baseline in baselines {
                let test = Self.pairedTest(modelValues, valuesByEntrant[baseline] ?? [:], label: "compare \(model.model) \(baseline)")
                comparisons.append(Comparison(
                    model: model.model, baseline: baseline, pairs: test.pairs, mean_difference_pct: test.interval.map { Self.rounded($0.mean) } ?? nil,
                    ci_low: test.interval.map { Self.rounded($0.low) } ?? nil, ci_high: test.interval.map { Self.rounded($0.high) } ?? nil,
                    p_value: test.pValue.flatMap(Self.rounded), significant: test.significant))
            }
        }
        self.comparisons = comparisons

        // The ranking by mean return, with tiers of differences that are not significant.
        // The same estimate (and label, so the same seed) as the model's or baseline's own `return_pct`.
        let returns = contestants.map { contestant in
            (contestant, SeasonResampling.bootstrap(contestant.values.keys.sorted().compactMap { contestant.values[$0]?.returnPercent },
                                                   label: "\(contestant.kind == "model" ? "model" : "entrant") \(contestant.name) return_pct"))
        }
        let sorted = returns.sorted { a, b in
            let (x, y) = (a.1?.mean ?? -.infinity, b.1?.mean ?? -.infinity)
            return x != y ? x > y : (a.0.name, a.0.kind) < (b.0.name, b.0.kind)
        }
        var ranking: [RankingRow] = []
        var tier = 0
        var tierLeader: Int?
        for (position, entry) in sorted.enumerated() {
            var alike: [String] = []
            for above in sorted.prefix(position) {
                let test = Self.pairedTest(above.0.values, entry.0.values, label: "rank \(above.0.name) \(entry.0.name)")
                if !test.significant { alike.append(above.0.name) }
            }
            if let leader = tierLeader {
                let test = Self.pairedTest(sorted[leader].0.values, entry.0.values, label: "rank \(sorted[leader].0.name) \(entry.0.name)")
                if test.significant { tier += 1; tierLeader = position }
            } else {
                tier = 1
                tierLeader = position
            }
            ranking.append(RankingRow(
                rank: position + 1, tier: tier, name: entry.0.name, kind: entry.0.kind,
                mean_return_pct: entry.1.map { Self.rounded($0.mean) } ?? nil, ci_low: entry.1.map { Self.rounded($0.low) } ?? nil,
                ci_high: entry.1.map { Self.rounded($0.high) } ?? nil, repeats: entry.0.values.count,
                not_significantly_different_from: alike))
        }
        self.ranking = ranking
    }

    /// The estimates of every metric over the repeats of `values`.
    static func metrics(of values: [Int: Values], label: String) -> Metrics {
        let ordered = values.keys.sorted().compactMap { values[$0] }
        func estimate(_ name: String, _ series: [Double]) -> Estimate? {
            SeasonResampling.bootstrap(series, label: "\(label) \(name)").map {
                Estimate(mean: rounded($0.mean) ?? 0, ci_low: rounded($0.low) ?? 0, ci_high: rounded($0.high) ?? 0, n: $0.count)
            }
        }
        return Metrics(
            return_pct: estimate("return_pct", ordered.map(\.returnPercent)), sharpe: estimate("sharpe", ordered.compactMap(\.sharpe)),
            sortino: estimate("sortino", ordered.compactMap(\.sortino)),
            max_drawdown_pct: estimate("max_drawdown_pct", ordered.map(\.maxDrawdownPercent)),
            win_rate_pct: estimate("win_rate_pct", ordered.compactMap(\.winRatePercent)),
            fees_usd: estimate("fees_usd", ordered.map(\.fees)), model_cost_usd: estimate("model_cost_usd", ordered.map(\.modelCost)))
    }

    /// The paired difference of returns (`a` minus `b`) over the repeats both completed.
    static func pairedTest(_ a: [Int: Values], _ b: [Int: Values], label: String)
        -> (pairs: Int, interval: SeasonResampling.Interval?, pValue: Double?, significant: Bool) {
        let differences = a.keys.sorted().compactMap { index in
            b[index].flatMap { other in a[index].map { $0.returnPercent - other.returnPercent } }
        }
        let interval = SeasonResampling.bootstrap(differences, label: label)
        let pValue = SeasonResampling.signFlipPValue(differences, label: label)
        let significant = (interval?.excludesZero ?? false) && (pValue ?? 1) < SeasonResampling.significanceLevel
        return (differences.count, interval, pValue, significant)
    }

    /// `value` to six decimals, nil when not finite: enough digits for a ratio, and the same bytes every time.
    public static func rounded(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        let result = (value * 1_000_000).rounded() / 1_000_000
        return result == 0 ? 0 : result
    }
}
