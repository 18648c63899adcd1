import Arena
import ArenaCore

/// Hand-made season runs with known numbers, for the statistics and the report.
public enum SeasonRuns {
    public static let start: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z, a whole hour
    public static let hour: Int64 = 3_600_000

    /// A completed run whose equity moves from 10,000 along `path` (percent returns at each hour)
    /// and ends at `returnPct`.
    public static func run(_ entrant: String, repeat index: Int, returnPct: Double, path: [Double] = [], trades: [FixedDecimal] = [],
                    fees: FixedDecimal = FixedDecimal(1, exponent: 1), cost: FixedDecimal = .zero, failure: String? = nil) -> SeasonEntrantRun {
        let parts = entrant.split(separator: "/").map(String.init)
        let capital = FixedDecimal(10_000)
        let returns = [0] + path + [returnPct]
        let equity = returns.enumerated().map { offset, percent in
            SeasonEntrantRun.EquityPoint(time: Timestamp(milliseconds: start + Int64(offset) * hour),
                                         equity: capital + (FixedDecimal(approximating: percent * 100) ?? .zero))
        }
        return SeasonEntrantRun(entrant: entrant, model: parts.count == 2 ? parts[0] : nil, variant: parts.count == 2 ? parts[1] : nil,
                                repeatIndex: index, seed: UInt64(1000 + index), failure: failure, initialCapital: capital,
                                hourlyEquity: failure == nil ? equity : [], closedTradePnL: trades, fees: fees, modelCostUSD: cost,
                                decisions: 10, failedDecisions: failure == nil ? 0 : 10)
    }

    /// Eight repeats: a model of two variants, always a few points above the baseline `hold`.
    public static func eightRepeats() -> [SeasonEntrantRun] {
        let plain: [Double] = [6, 5, 7, 4, 6, 5, 8, 5], cautious: [Double] = [2, 3, 3, 4, 2, 5, 2, 3]
        let hold: [Double] = [1, 0, -1, 2, 0, 1, 0, -1]
        return (0..<8).flatMap { index in
            [run("m/default", repeat: index, returnPct: plain[index], cost: FixedDecimal(2, exponent: 2)),
             run("m/cautious", repeat: index, returnPct: cautious[index], cost: FixedDecimal(1, exponent: 2)),
             run("hold", repeat: index, returnPct: hold[index])]
        }
    }
}
