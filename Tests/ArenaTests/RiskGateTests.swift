import ArenaCore
import Testing
@testable import Arena

@Suite("Risk gate")
struct RiskGateTests {
    let btc = Symbol("BTC")!
    let eth = Symbol("ETH")!

    func market(mid: FixedDecimal = 100_000) -> MarketSnapshot {
        let book = OrderBook(bids: [BookLevel(price: mid - 1, size: 10)], asks: [BookLevel(price: mid + 1, size: 10)])
        return MarketSnapshot(time: Timestamp(milliseconds: 0),
                              quotes: [btc: Quote(symbol: btc, mid: mid, mark: mid, book: book)])
    }

    func account(equity: FixedDecimal = 10_000, positions: [Symbol: Position] = [:]) -> AccountState {
        AccountState(cash: equity, positions: positions, equity: equity, unrealizedPnl: .zero, marginUsed: .zero, time: Timestamp(milliseconds: 0))
    }

    func evaluate(_ instructions: [SymbolDecision], limits: RiskLimits = RiskLimits(max_leverage: 5),
                  account: AccountState? = nil) -> RiskGate.Verdict {
        RiskGate(limits: limits).evaluate(Decision(instructions: instructions), universe: [btc], account: account ?? self.account(),
                                          market: market(), instruments: Instrument.defaultInstrument(for:))
    }

    @Test("an open turns a fraction of equity times leverage into a size on the venue's grid")
    func opensWithFraction() {
        let verdict = evaluate([SymbolDecision(symbol: btc, action: .openLong, size: .equityFraction(FixedDecimal(5, exponent: 1)),
                                               leverage: 2, justification: "up")])
        #expect(verdict == .orders([GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(1, exponent: 1), reduceOnly: false, leverage: 2)]))
    }

    @Test("refusals carry a reason", arguments: [
        (SymbolDecision(symbol: Symbol("ETH")!, action: .openLong, size: .usd(100), leverage: 1, justification: ""), "not in this account's universe"),
        (SymbolDecision(symbol: Symbol("BTC")!, action: .openLong, size: .usd(100), leverage: 9, justification: ""), "above the account's limit of 5x"),
        (SymbolDecision(symbol: Symbol("BTC")!, action: .openLong, size: .usd(5), leverage: 1, justification: ""), "minimum value of $10"),
        (SymbolDecision(symbol: Symbol("BTC")!, action: .openShort, size: nil, leverage: 1, justification: ""), "has no size"),
        (SymbolDecision(symbol: Symbol("BTC")!, action: .openLong, size: .usd(100), leverage: 1, takeProfit: 90_000, justification: ""), "wrong side"),
        (SymbolDecision(symbol: Symbol("BTC")!, action: .openShort, size: .usd(100), leverage: 1, stopLoss: 90_000, justification: ""), "wrong side"),
        (SymbolDecision(symbol: Symbol("BTC")!, action: .openLong, size: .equityFraction(2), leverage: 1, justification: ""), "fraction of equity"),
        (SymbolDecision(symbol: Symbol("BTC")!, action: .openLong, size: .usd(-50), leverage: 1, justification: ""), "must be positive"),
    ])
    func refusals(_ instruction: SymbolDecision, _ reason: String) {
        guard case .rejected(let text) = evaluate([instruction]) else {
            Issue.record("expected a rejection containing \(reason)")
            return
        }
        #expect(text.contains(reason))
    }

    @Test("one bad instruction rejects the whole decision")
    func allOrNothing() {
        let good = SymbolDecision(symbol: btc, action: .openLong, size: .usd(100), leverage: 1, justification: "")
        let bad = SymbolDecision(symbol: eth, action: .openLong, size: .usd(100), leverage: 1, justification: "")
        guard case .rejected = evaluate([good, bad]) else {
            Issue.record("expected a rejection")
            return
        }
    }

    @Test("closing sends a reduce-only order for the whole position; closing nothing is a hold")
    func closing() {
        let held = account(positions: [btc: Position(symbol: btc, size: FixedDecimal(-2), entryPrice: 100_000, leverage: 1)])
        #expect(evaluate([SymbolDecision(symbol: btc, action: .close, justification: "")], account: held)
            == .orders([GatedOrder(symbol: btc, side: .buy, size: 2, reduceOnly: true, leverage: nil)]))
        #expect(evaluate([SymbolDecision(symbol: btc, action: .close, justification: "")]) == .hold)
    }

    @Test("opening against a held position closes it first")
    func flipping() {
        let held = account(positions: [btc: Position(symbol: btc, size: FixedDecimal(1, exponent: 2), entryPrice: 100_000, leverage: 1)])
        let verdict = evaluate([SymbolDecision(symbol: btc, action: .openShort, size: .usd(1_000), leverage: 1, justification: "")], account: held)
        #expect(verdict == .orders([
            GatedOrder(symbol: btc, side: .sell, size: FixedDecimal(1, exponent: 2), reduceOnly: true, leverage: nil),
            GatedOrder(symbol: btc, side: .sell, size: FixedDecimal(1, exponent: 2), reduceOnly: false, leverage: 1),
        ]))
    }
}
