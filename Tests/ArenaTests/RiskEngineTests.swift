import ArenaCore
import ArenaTestSupportCore
import Testing
@testable import Arena

/// The one entry point that drivers' decisions and operators' orders both pass.
@Suite("Risk engine")
struct RiskEngineTests {
    let btc = Symbol("BTC")!

    func account(status: AccountStatus = .active, equity: FixedDecimal = 10_000) -> RiskEngine.Account {
        RiskEngine.Account(name: "acct", status: status, symbols: [btc],
                           state: AccountState(cash: equity, positions: [:], equity: equity, unrealizedPnl: .zero, marginUsed: .zero,
                                               time: Timestamp(milliseconds: 0)))
    }

    func market(at milliseconds: Int64 = 1_000) -> MarketSnapshot {
        btcSnapshot(mid: 100_000, time: milliseconds)
    }

    @Test("an operator's order above the venue's maximum leverage is refused before any executor sees it")
    func venueLeverage() {
        var engine = RiskEngine(limits: RiskLimits(max_leverage: 100), instruments: Instrument.defaults)
        let order = GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(1, exponent: 3), reduceOnly: false, leverage: 80)
        guard case .rejected(let reason) = engine.evaluate(.operatorOrder(order), account: account(), market: market()) else {
            Issue.record("80x passed")
            return
        }
        #expect(reason.contains("Leverage 80x is outside"))
    }

    @Test("drivers and operators share the order-rate window")
    func sharedRateWindow() {
        var engine = RiskEngine(limits: RiskLimits(max_orders_per_minute: 2), instruments: Instrument.defaults)
        engine.noteOrderSent(at: Timestamp(milliseconds: 500))
        engine.noteOrderSent(at: Timestamp(milliseconds: 600))
        let order = GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(1, exponent: 3), reduceOnly: false, leverage: 1)
        guard case .rejected(let reason) = engine.evaluate(.operatorOrder(order), account: account(), market: market()) else {
            Issue.record("a third order in the minute passed")
            return
        }
        #expect(reason.contains("Order rate limit"))
        // A minute later the window has moved on.
        guard case .orders = engine.evaluate(.operatorOrder(order), account: account(), market: market(at: 61_000)) else {
            Issue.record("the window did not move")
            return
        }
    }

    @Test("the drawdown is measured from the highest equity observed, and halts only an active account")
    func drawdown() {
        var engine = RiskEngine(limits: RiskLimits(max_drawdown_pct: 10), instruments: Instrument.defaults)
        #expect(engine.observe(equity: 10_000, at: Timestamp(milliseconds: 1), account: account()) == nil)
        #expect(engine.observe(equity: 12_000, at: Timestamp(milliseconds: 2), account: account()) == nil)
        #expect(engine.highWaterMark == 12_000)
        #expect(engine.observe(equity: 10_900, at: Timestamp(milliseconds: 3), account: account()) == nil)
        #expect(engine.observe(equity: 10_800, at: Timestamp(milliseconds: 4), account: account())?.contains("maximum drawdown of 10%") == true)
        #expect(engine.observe(equity: 10_000, at: Timestamp(milliseconds: 5), account: account(status: .halted)) == nil)
    }

    @Test("the kill switch refuses every order it did not send")
    func killSwitch() {
        let killSwitch = TradingSwitch()
        var engine = RiskEngine(limits: RiskLimits(), instruments: Instrument.defaults, tradingSwitch: killSwitch)
        killSwitch.engage(reason: "The kill switch is engaged: test")
        let order = GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(1, exponent: 3), reduceOnly: false, leverage: 1)
        guard case .rejected(let reason) = engine.evaluate(.operatorOrder(order), account: account(), market: market()) else {
            Issue.record("an order passed the kill switch")
            return
        }
        #expect(reason.contains("kill switch"))
    }
}
