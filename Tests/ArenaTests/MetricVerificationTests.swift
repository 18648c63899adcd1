import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportDrivers
import ArenaTestSupportLedger
import Foundation
import Logging
import PaperExchange
import Storage
import Testing
@testable import Arena

/// Every leaderboard statistic of an account traded through the real runner, paper exchange and
/// ledger, computed again by hand from what the ledger stored and the equity the account had,
/// and the season statistics of the same curve and trades giving the same numbers.
@Suite("Metric verification")
struct MetricVerificationTests {
    static let btc = Symbol("BTC")!
    static let start: Int64 = 1_767_225_600_000  // a whole hour
    static let hour: Int64 = 3_600_000
    static let hours = 30
    static let costPerDecision = FixedDecimal(5, exponent: 3)

    /// BTC's mid at each hour: a rise, a dip, another rise, then a wobble.
    static func mid(_ hour: Int) -> FixedDecimal {
        let path: [Int] = [100_000, 100_600, 101_400, 102_000, 101_800, 102_600, 102_100, 101_000, 101_700, 102_500, 103_200,
                           103_900, 104_300, 104_000, 104_100, 103_500, 104_400, 104_900, 104_200, 105_000, 104_600, 105_300,
                           105_800, 105_100, 105_900, 106_400, 105_700, 106_200, 106_900, 106_300, 107_000]
        return FixedDecimal(path[hour])
    }

    /// The decision at each hour: a winning long, a losing short, a winning long, then a long held to the end.
    static func decision(_ hour: Int) -> Decision {
        func open(_ action: DecisionAction, _ usd: FixedDecimal) -> Decision {
            Decision(instructions: [SymbolDecision(symbol: btc, action: action, size: .usd(usd), leverage: 2, justification: "")])
        }
        let close = Decision(instructions: [SymbolDecision(symbol: btc, action: .close, justification: "")])
        switch hour {
        case 0: return open(.openLong, 5_000)
        case 3: return close
        case 4: return open(.openShort, 4_000)
        case 6: return close
        case 7: return open(.openLong, 6_000)
        case 12: return close
        case 14: return open(.openLong, 3_000)
        default: return Decision(instructions: [])
        }
    }

    @Test("the leaderboard's win rate, Sharpe, Sortino, drawdown, risk ratio, volume, biggest win and loss and cost per 1% are the hand-computed ones")
    func leaderboardMatchesHandComputation() async throws {
        let test = try TestLedger()
        let record = try test.ledger.createAccount(NewAccount(name: "verified", driverKind: "scripted", symbols: [Self.btc], initialCapital: 10_000),
                                                   now: Timestamp(milliseconds: Self.start))
        let leaderboard = Leaderboard()
        let runner = AccountRunner(
            record: record, driver: ScriptedDriver((0..<Self.hours).map(Self.decision), costUSD: Self.costPerDecision),
            executor: PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash, positions: [], seed: 1),
            limits: RiskLimits(max_leverage: 10), intervalMilliseconds: Self.hour, recorder: try Recorder(ledger: test.ledger),
            leaderboard: leaderboard, instruments: Instrument.defaults, logger: Logger(label: "metric-verification"))

        // Every whole hour: the market moves, the account decides, an equity snapshot is taken.
        var equities: [Double] = [], riskRatios: [Double] = []
        var points: [SeasonEntrantRun.EquityPoint] = []
        for hour in 0...Self.hours {
            let time = Self.start + Int64(hour) * Self.hour
            await runner.apply(TestMarkets.snapshot(Self.btc, mid: Self.mid(hour), at: time, size: 5, levels: 20))
            if hour < Self.hours { await runner.decide() }
            let state = await runner.accountState()
            equities.append(state.equity.doubleValue)
            riskRatios.append(state.marginUsed.doubleValue / state.equity.doubleValue)
            points.append(SeasonEntrantRun.EquityPoint(time: Timestamp(milliseconds: time), equity: state.equity))
            _ = try await runner.snapshot(time: Timestamp(milliseconds: time))
        }
        let entry = try #require(leaderboard.entry(record.id))

        // By hand, from the ledger's fills.
        let fills = try test.ledger.fills(of: record.id, before: nil, limit: 1_000).map(\.fill).sorted { $0.time < $1.time }
        #expect(fills.count == 7, "seven fills: four opens and three closes")
        let closing = fills.filter { !$0.realizedPnl.isZero }.map { $0.realizedPnl - $0.fee }
        #expect(closing.count == 3)
        let wins = closing.filter(\.isPositive)
        #expect(wins.count == 2, "the longs won and the short lost: \(closing)")
        #expect(entry.win_rate == LeaderboardEntry.statistic(Double(wins.count) * 100 / Double(closing.count)))
        #expect(entry.biggest_win == closing.max()?.description)
        #expect(entry.biggest_loss == closing.min()?.description)
        #expect(entry.volume == fills.reduce(FixedDecimal.zero) { $0 + $1.price * $1.size }.description)
        #expect(entry.fees == fills.reduce(FixedDecimal.zero) { $0 + $1.fee }.description)
        #expect(entry.closed_trades == 3)

        // By hand, from the equity at each whole hour.
        let returns = zip(equities, equities.dropFirst()).map { ($1 - $0) / $0 }
        #expect(returns.count == Self.hours)
        let mean = returns.reduce(0, +) / Double(returns.count)
        let deviation = (returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(returns.count - 1)).squareRoot()
        let downside = (returns.map { min($0, 0) * min($0, 0) }.reduce(0, +) / Double(returns.count)).squareRoot()
        let annual = (24.0 * 365).squareRoot()
        let sharpe = mean / deviation * annual, sortino = mean / downside * annual
        #expect(abs(try #require(entry.sharpe) - sharpe) < 0.000_05 + 1e-9, "leaderboard \(entry.sharpe ?? .nan), by hand \(sharpe)")
        #expect(abs(try #require(entry.sortino) - sortino) < 0.000_05 + 1e-9, "leaderboard \(entry.sortino ?? .nan), by hand \(sortino)")
        #expect(entry.sharpe_reason == nil && entry.sortino_reason == nil)
        var peak = equities[0], deepest = 0.0
        for equity in equities {
            peak = max(peak, equity)
            deepest = max(deepest, (peak - equity) / peak)
        }
        #expect(deepest > 0)
        #expect(abs(entry.max_drawdown_pct - deepest * 100) < 0.000_05 + 1e-9)
        let averageRisk = riskRatios.reduce(0, +) / Double(riskRatios.count)
        #expect(abs(try #require(entry.avg_risk_ratio) - averageRisk) < 0.000_05 + 1e-9)

        // Cost per 1% of return: what the decisions cost over the return in percent.
        let finalEquity = try #require(equities.last)
        let returnPercent = (finalEquity - 10_000) / 10_000 * 100
        #expect(returnPercent > 0)
        #expect(abs(entry.return_pct - returnPercent) < 0.000_05 + 1e-9)
        let cost = Self.costPerDecision.doubleValue * Double(Self.hours)
        #expect(entry.llm_cost == (Self.costPerDecision * Self.hours).description)
        #expect(abs(try #require(entry.cost_per_return_pct.flatMap(Double.init)) - cost / entry.return_pct) < 1e-6)

        // The season statistics of the same curve and trades: the same numbers.
        let run = SeasonEntrantRun(entrant: "verified", model: nil, variant: nil, repeatIndex: 0, seed: 1, failure: nil,
                                   initialCapital: 10_000, hourlyEquity: points, closedTradePnL: closing,
                                   fees: fills.reduce(FixedDecimal.zero) { $0 + $1.fee }, modelCostUSD: Self.costPerDecision * Self.hours,
                                   decisions: Self.hours, failedDecisions: 0)
        let season = try #require(SeasonStatistics(season: "same", runs: [run]).runs.first)
        #expect(season.sharpe.map(LeaderboardEntry.statistic) == entry.sharpe)
        #expect(season.sortino.map(LeaderboardEntry.statistic) == entry.sortino)
        #expect(season.max_drawdown_pct.map(LeaderboardEntry.statistic) == entry.max_drawdown_pct)
        #expect(season.win_rate_pct.map(LeaderboardEntry.statistic) == entry.win_rate)
        #expect(season.return_pct.map(LeaderboardEntry.statistic) == entry.return_pct)
        #expect(season.fees == entry.fees)
    }
}
