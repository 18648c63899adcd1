import ArenaCore
import Foundation
import Testing
@testable import Arena

@Suite("Hourly returns: Sharpe and Sortino of market hours")
struct HourlyReturnsTests {
    static let hour: Int64 = 3_600_000

    /// Sharpe and Sortino computed the long way, as a reader of the formula would.
    static func byHand(_ equities: [Double]) -> (sharpe: Double, sortino: Double) {
        let returns = zip(equities, equities.dropFirst()).map { ($1 - $0) / $0 }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(returns.count - 1)
        let downside = (returns.map { min($0, 0) * min($0, 0) }.reduce(0, +) / Double(returns.count)).squareRoot()
        let annual = (24.0 * 365).squareRoot()
        return (mean / variance.squareRoot() * annual, mean / downside * annual)
    }

    /// 26 hourly equities wobbling upwards: 25 returns.
    static let equities: [Double] = (0...25).map { (hour: Int) -> Double in
        let wobble: Double = hour % 3 == 0 ? -40 : (hour % 3 == 1 ? 25 : 0)
        return 10_000 + Double(hour) * 12 + wobble
    }

    @Test("Sharpe and Sortino equal the formulas worked by hand")
    func matchesHandComputation() throws {
        let returns = HourlyReturns(equities: Self.equities.map { FixedDecimal(approximating: $0) ?? .zero })
        let expected = Self.byHand(Self.equities)
        #expect(returns.count == 25)
        #expect(abs(try #require(returns.sharpe.value) - expected.sharpe) < 1e-9)
        #expect(abs(try #require(returns.sortino.value) - expected.sortino) < 1e-9)
        #expect(returns.sharpe.reason == nil)
    }

    @Test("before 24 hourly returns there is no ratio, only the reason")
    func tooFewReturnsGiveAReason() {
        let returns = HourlyReturns(equities: Self.equities.prefix(4).map { FixedDecimal(approximating: $0) ?? .zero })
        #expect(returns.sharpe.value == nil)
        #expect(returns.sharpe.reason == "needs 24 hourly returns, has 3")
        #expect(returns.sortino.reason == "needs 24 hourly returns, has 3")
    }

    @Test("a curve that never falls has a Sharpe ratio but no Sortino ratio, and says why")
    func noDownsideNoSortino() {
        let returns = HourlyReturns(equities: (0...30).map { FixedDecimal(10_000 + $0 * $0) })
        #expect(returns.sharpe.value != nil)
        #expect(returns.sortino.value == nil)
        #expect(returns.sortino.reason == "no hourly return was negative")
        #expect(HourlyReturns(equities: Array(repeating: FixedDecimal(5), count: 40)).sharpe.reason == "hourly returns do not vary")
    }

    @Test("snapshots every five seconds are sampled at whole hours: the leaderboard's ratio is the hourly one")
    func snapshotsAreSampledAtWholeHours() throws {
        var statistics = EquityStatistics()
        // Starts mid-hour (never on a whole hour); a snapshot every 5 s; the equity changes every hour after the start.
        let start: Int64 = 1_700_000_000_000 + 1_234_567
        let end = start + 25 * Self.hour + 10_000
        var time = start
        while time <= end {
            let index = Int((time - start) / Self.hour)
            statistics.add(equity: FixedDecimal(approximating: Self.equities[index]) ?? .zero, marginUsed: .zero,
                           time: Timestamp(milliseconds: time))
            time += 5_000
        }
        // Whole hours passed: 25 (the start's hour excluded). The equity at hour k (k = 1...25) is the value held
        // just before it; the start is the first snapshot's.
        let firstHour = start / Self.hour
        var sampled = [Self.equities[0]]
        for mark in (firstHour + 1)...(firstHour + 25) {
            sampled.append(Self.equities[Int((mark * Self.hour - 1 - start) / Self.hour)])
        }
        let expected = Self.byHand(sampled)
        #expect(statistics.hourlyReturns.count == 25)
        #expect(abs(try #require(statistics.hourlyReturns.sharpe.value) - expected.sharpe) < 1e-9)
    }

    @Test("a gap of several hours without snapshots counts each hour, unchanged")
    func gapsCountFlatHours() {
        var sampler = HourlyEquitySampler()
        var pairs: [(FixedDecimal, FixedDecimal)] = []
        sampler.add(equity: 100, time: Timestamp(milliseconds: 0)) { pairs.append(($0, $1)) }
        sampler.add(equity: 110, time: Timestamp(milliseconds: 4 * Self.hour + 5)) { pairs.append(($0, $1)) }
        sampler.add(equity: 120, time: Timestamp(milliseconds: 5 * Self.hour)) { pairs.append(($0, $1)) }
        #expect(pairs.map { [$0.0, $0.1] } == [[100, 100], [100, 100], [100, 100], [100, 100], [100, 120]])
    }

    @Test("statistics stored before hourly returns still decode, keeping drawdown and risk")
    func oldStoredStatisticsDecode() throws {
        let old = #"{"samples":3,"lastEquity":"990","returnCount":2,"returnMean":0.01,"returnSquaredDeviations":0.002,"highWaterMark":"1000","maxDrawdown":0.05,"riskRatioSum":0.6}"#
        let statistics = try JSONDecoder().decode(EquityStatistics.self, from: Data(old.utf8))
        #expect(statistics.samples == 3)
        #expect(statistics.maxDrawdown == 0.05)
        #expect(statistics.hourlyReturns.count == 0)
        let again = try JSONDecoder().decode(EquityStatistics.self, from: JSONEncoder().encode(statistics))
        #expect(again == statistics)
    }
}
