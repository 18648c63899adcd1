import ArenaCore
import Foundation
import ArenaTestSupportSeason
import Testing
@testable import Arena

@Suite("Season statistics")
struct SeasonStatisticsTests {
    /// The exact 2.5% and 97.5% quantiles of the bootstrap mean of eight values, `high` of them
    /// `b` and the rest `a`: the number of `b`s drawn is binomial.
    static func exactBootstrapQuantiles(a: Double, b: Double, count: Int, high: Int) -> (Double, Double) {
        let p = Double(high) / Double(count)
        var cumulative = 0.0
        var low: Double?, upper: Double?
        for k in 0...count {
            var choose = 1.0
            for i in 0..<k { choose = choose * Double(count - i) / Double(i + 1) }
            cumulative += choose * pow(p, Double(k)) * pow(1 - p, Double(count - k))
            let mean = (Double(count - k) * a + Double(k) * b) / Double(count)
            if low == nil, cumulative >= 0.025 { low = mean }
            if upper == nil, cumulative >= 0.975 { upper = mean }
        }
        return (low ?? a, upper ?? b)
    }

    @Test("a model's index averages its variants; its interval is the bootstrap's, its lead over the baseline significant")
    func knownNumbers() throws {
        let statistics = SeasonStatistics(season: "known", runs: SeasonRuns.eightRepeats())
        #expect(statistics.season == "known")
        #expect(statistics.repeats == 8)
        let model = try #require(statistics.models.first)
        #expect(model.model == "m")
        #expect(model.variants == ["m/cautious", "m/default"])
        #expect(model.repeats_used == Array(0..<8))
        // Per repeat the variants average to 4, 4, 5, 4, 4, 5, 5, 4: a mean of 4.375.
        let returns = try #require(model.metrics.return_pct)
        #expect(abs(returns.mean - 4.375) < 1e-9)
        #expect(returns.n == 8)
        let (low, high) = Self.exactBootstrapQuantiles(a: 4, b: 5, count: 8, high: 3)
        #expect(abs(returns.ci_low - low) <= 0.125 + 1e-9, "bootstrap low \(returns.ci_low), exact \(low)")
        #expect(abs(returns.ci_high - high) <= 0.125 + 1e-9, "bootstrap high \(returns.ci_high), exact \(high)")
        // Model cost: the variants' 0.02 and 0.01 averaged per repeat; exact totals over both.
        #expect(abs((model.metrics.model_cost_usd?.mean ?? 0) - 0.015) < 1e-9)
        #expect(model.total_model_cost_usd == "0.24")
        #expect(model.total_fees == "1.6")

        let comparison = try #require(statistics.comparisons.first)
        #expect(comparison.model == "m" && comparison.baseline == "hold")
        #expect(comparison.pairs == 8)
        // Differences 3, 4, 6, 2, 4, 4, 5, 5: all positive, so exactly 2 of the 256 sign patterns are as extreme.
        #expect(abs((comparison.mean_difference_pct ?? 0) - 4.125) < 1e-9)
        #expect(abs((comparison.p_value ?? 1) - 0.007813) < 1e-9)
        #expect((comparison.ci_low ?? 0) > 0)
        #expect(comparison.significant)

        #expect(statistics.ranking.map(\.name) == ["m", "hold"])
        // The ranking's interval is the model's own, not a second bootstrap.
        #expect(statistics.ranking[0].ci_low == returns.ci_low && statistics.ranking[0].ci_high == returns.ci_high)
        let hold = try #require(statistics.entrants.first { $0.name == "hold" }?.metrics.return_pct)
        #expect(statistics.ranking[1].ci_low == hold.ci_low && statistics.ranking[1].ci_high == hold.ci_high)
        #expect(statistics.ranking.map(\.tier) == [1, 2])
        #expect(statistics.ranking[1].not_significantly_different_from.isEmpty)
        #expect(statistics.failures.isEmpty)
    }

    @Test("five repeats can never be significant under the sign-flip test: the ranking says so")
    func fiveRepeatsAreNotSignificant() throws {
        let runs = SeasonRuns.eightRepeats().filter { $0.repeatIndex < 5 }
        let statistics = SeasonStatistics(season: "short", runs: runs)
        let comparison = try #require(statistics.comparisons.first)
        #expect(abs((comparison.p_value ?? 0) - 0.0625) < 1e-9)
        #expect(!comparison.significant)
        #expect(statistics.ranking.map(\.tier) == [1, 1])
        #expect(statistics.ranking[1].not_significantly_different_from == ["m"])
    }

    @Test("a failed run is listed and never averaged in; its model's repeat is left out")
    func failuresAreListedNotAveraged() throws {
        var runs = SeasonRuns.eightRepeats()
        let index = try #require(runs.firstIndex { $0.entrant == "m/cautious" && $0.repeatIndex == 2 })
        runs[index] = SeasonRuns.run("m/cautious", repeat: 2, returnPct: -90, failure: "provider down: connection refused")
        let statistics = SeasonStatistics(season: "failing", runs: runs)
        #expect(statistics.failures.map(\.entrant) == ["m/cautious"])
        #expect(statistics.failures.first?.reason == "provider down: connection refused")
        let cautious = try #require(statistics.entrants.first { $0.name == "m/cautious" })
        #expect(cautious.completed_repeats == 7 && cautious.failed_repeats == 1)
        // 2, 3, 4, 2, 5, 2, 3 without the failed repeat's -90.
        #expect(abs((cautious.metrics.return_pct?.mean ?? 0) - 3) < 1e-9)
        let model = try #require(statistics.models.first)
        #expect(model.repeats_excluded == [2])
        #expect(model.repeats_used.count == 7)
        #expect(statistics.comparisons.first?.pairs == 7)
        #expect(statistics.runs.first { $0.entrant == "m/cautious" && $0.repeat == 2 }?.return_pct == nil)
    }

    @Test("per-run Sharpe, drawdown and win rate are the formulas worked by hand")
    func perRunMetrics() throws {
        // 30 hourly returns alternating +1% and -0.5% of the initial capital around a rise.
        let path = (1...29).map { (hour: Int) -> Double in
            let swing: Double = hour % 2 == 0 ? 1 : -0.5
            return Double(hour) * 0.2 + swing
        }
        let trades: [FixedDecimal] = [5, -2, 3, 0]
        let run = SeasonRuns.run("hold", repeat: 0, returnPct: 6, path: path, trades: trades)
        let statistics = SeasonStatistics(season: "one", runs: [run])
        let summary = try #require(statistics.runs.first)
        let equities = ([0] + path + [6]).map { 10_000 + $0 * 100 }
        let expected = HourlyReturnsTests.byHand(equities)
        #expect(abs((summary.sharpe ?? 0) - expected.sharpe) < 1e-5)
        #expect(abs((summary.sortino ?? 0) - expected.sortino) < 1e-5)
        var peak = equities[0], deepest = 0.0
        for equity in equities {
            peak = max(peak, equity)
            deepest = max(deepest, (peak - equity) / peak)
        }
        #expect(abs((summary.max_drawdown_pct ?? 0) - deepest * 100) < 1e-5)
        #expect(summary.win_rate_pct == 50)
        #expect(summary.return_pct == 6)
        let entrant = try #require(statistics.entrants.first)
        #expect(entrant.kind == "baseline")
        #expect(entrant.metrics.sharpe?.mean == summary.sharpe)
        // One repeat: the interval is the value itself.
        #expect(entrant.metrics.sharpe?.ci_low == summary.sharpe && entrant.metrics.sharpe?.ci_high == summary.sharpe)
    }

    @Test("a short run gives no Sharpe ratio but the reason, and the estimate leaves it out")
    func shortRunsHaveNoSharpe() throws {
        let statistics = SeasonStatistics(season: "short", runs: [SeasonRuns.run("hold", repeat: 0, returnPct: 1)])
        #expect(statistics.runs.first?.sharpe == nil)
        #expect(statistics.runs.first?.sharpe_reason == "needs 24 hourly returns, has 1")
        #expect(statistics.entrants.first?.metrics.sharpe == nil)
    }

    @Test("p-values: exact sign flips for few pairs, seeded random ones for many")
    func signFlipPValues() {
        #expect(SeasonResampling.signFlipPValue([1, -1, 1, -1], label: "x") == 1)
        #expect(SeasonResampling.signFlipPValue([1, 2, 3, 4, 5], label: "x") == 2.0 / 32)
        // 1, -2: patterns with |sum| >= 1 are all four.
        #expect(SeasonResampling.signFlipPValue([1, -2], label: "x") == 1)
        let many = (1...15).map(Double.init)
        let p = SeasonResampling.signFlipPValue(many, label: "x") ?? 1
        #expect(p > 0 && p < 0.001)
        #expect(SeasonResampling.signFlipPValue(many, label: "x") == p)
        #expect(SeasonResampling.signFlipPValue([], label: "x") == nil)
    }
}
