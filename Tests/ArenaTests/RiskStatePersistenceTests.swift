import ArenaCore
import ArenaTestSupportCore
import Storage
import Testing
@testable import Arena

/// The risk state a restart gets back from the ledger: the daily-loss baseline of the current UTC
/// day and the high-water mark, and the drawdown measure of a resumed account.
@Suite("Risk state across restarts")
struct RiskStatePersistenceTests {
    let btc = Symbol("BTC")!
    static let day: Int64 = 86_400_000

    func account(status: AccountStatus = .active, equity: FixedDecimal) -> RiskEngine.Account {
        RiskEngine.Account(name: "acct", status: status, symbols: [btc],
                           state: AccountState(cash: equity, positions: [:], equity: equity, unrealizedPnl: .zero, marginUsed: .zero,
                                               time: Timestamp(milliseconds: 0)))
    }

    var opening: GatedOrder { GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(1, exponent: 3), reduceOnly: false, leverage: 1) }

    @Test("a restarted engine keeps the day's loss baseline: the loss taken before the restart still counts the same day, and a new UTC day starts a new baseline")
    func dailyBaselineSurvives() {
        let limits = RiskLimits(daily_loss_limit: 500)
        var before = RiskEngine(limits: limits, instruments: Instrument.defaults)
        let morning = Timestamp(milliseconds: 20 * Self.day + 1_000)
        _ = before.observe(equity: 10_000, at: morning, account: account(equity: 10_000))
        let stored = before.persistentState
        #expect(stored.day == 20 && stored.dayStartEquity == 10_000)

        // The process restarts with the equity already 600 lower: without the stored baseline the
        // first observation would become the new baseline and the limit would be forgotten.
        var after = RiskEngine(limits: limits, instruments: Instrument.defaults, stored: stored)
        let noon = Timestamp(milliseconds: 20 * Self.day + 43_200_000)
        _ = after.observe(equity: 9_400, at: noon, account: account(equity: 9_400))
        guard case .rejected(let reason) = after.evaluate(.operatorOrder(opening), account: account(equity: 9_400),
                                                          market: btcSnapshot(mid: 100_000, time: noon.milliseconds)) else {
            Issue.record("an opening order passed a daily loss limit reached before the restart")
            return
        }
        #expect(reason.contains("daily loss limit of 500 USD is reached"))
        #expect(reason.contains("against 10000"))

        let nextDay = Timestamp(milliseconds: 21 * Self.day + 1)
        _ = after.observe(equity: 9_400, at: nextDay, account: account(equity: 9_400))
        #expect(after.persistentState.day == 21 && after.persistentState.dayStartEquity == 9_400)
        guard case .orders = after.evaluate(.operatorOrder(opening), account: account(equity: 9_400),
                                            market: btcSnapshot(mid: 100_000, time: nextDay.milliseconds)) else {
            Issue.record("a new UTC day did not start a new baseline")
            return
        }
    }

    @Test("the stored high-water mark wins over the equity statistics' one, so a restart does not lower the drawdown measure")
    func highWaterMarkSurvives() {
        let stored = StoredRiskState(day: nil, dayStartEquity: nil, highWaterMark: 12_000)
        var engine = RiskEngine(limits: RiskLimits(max_drawdown_pct: 10), instruments: Instrument.defaults, highWaterMark: 11_000,
                                stored: stored)
        #expect(engine.highWaterMark == 12_000)
        #expect(engine.observe(equity: 10_700, at: Timestamp(milliseconds: 1), account: account(equity: 10_700)) != nil)
    }

    @Test("a resumed account is measured from the equity it was resumed at: it does not halt again at the next observation")
    func resumeResetsTheMark() {
        var engine = RiskEngine(limits: RiskLimits(max_drawdown_pct: 10), instruments: Instrument.defaults)
        _ = engine.observe(equity: 10_000, at: Timestamp(milliseconds: 1), account: account(equity: 10_000))
        #expect(engine.observe(equity: 8_900, at: Timestamp(milliseconds: 2), account: account(equity: 8_900)) != nil)
        engine.resetHighWaterMark(to: 8_900)
        #expect(engine.persistentState.highWaterMark == 8_900)
        #expect(engine.observe(equity: 8_850, at: Timestamp(milliseconds: 3), account: account(equity: 8_850)) == nil)
        #expect(engine.observe(equity: 8_000, at: Timestamp(milliseconds: 4), account: account(equity: 8_000))?.contains("high-water mark 8900") == true)
    }

    @Test("the daily-loss halt is reported once when it begins, not again after a restart the same day, and lifted by the next UTC day")
    func dailyLossHaltReportedOnce() {
        let limits = RiskLimits(daily_loss_limit: 500)
        var engine = RiskEngine(limits: limits, instruments: Instrument.defaults)
        let morning = Timestamp(milliseconds: 30 * Self.day + 1)
        _ = engine.observe(equity: 10_000, at: morning, account: account(equity: 10_000))
        #expect(engine.dailyLossChange(equity: 10_000) == nil)
        _ = engine.observe(equity: 9_400, at: morning.adding(milliseconds: 1_000), account: account(equity: 9_400))
        guard case .reached(let reason)? = engine.dailyLossChange(equity: 9_400) else {
            Issue.record("the daily loss halt was not reported")
            return
        }
        #expect(reason.contains("daily loss limit of 500 USD is reached"))
        #expect(engine.dailyLossChange(equity: 9_300) == nil)
        #expect(engine.persistentState.dailyLossDay == 30)

        var restarted = RiskEngine(limits: limits, instruments: Instrument.defaults, stored: engine.persistentState)
        _ = restarted.observe(equity: 9_300, at: morning.adding(milliseconds: 2_000), account: account(equity: 9_300))
        #expect(restarted.dailyLossChange(equity: 9_300) == nil, "the halt was reported again after the restart")
        _ = restarted.observe(equity: 9_300, at: Timestamp(milliseconds: 31 * Self.day), account: account(equity: 9_300))
        guard case .cleared? = restarted.dailyLossChange(equity: 9_300) else {
            Issue.record("the new day did not lift the halt")
            return
        }
        #expect(restarted.persistentState.dailyLossDay == nil)
    }
}
