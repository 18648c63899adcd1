import ArenaCore
import ArenaTestSupportCore
import Testing
@testable import Arena

@Suite("Risk gate")
struct RiskGateTests {
    let btc = Symbol("BTC")!
    let eth = Symbol("ETH")!

    func market(mid: FixedDecimal = 100_000) -> MarketSnapshot {
        TestMarkets.snapshot(btc, mid: mid, at: 0, size: 10, levels: 1)
    }

    func account(equity: FixedDecimal = 10_000, positions: [Symbol: Position] = [:]) -> AccountState {
        AccountState(cash: equity, positions: positions, equity: equity, unrealizedPnl: .zero, marginUsed: .zero, time: Timestamp(milliseconds: 0))
    }

    func evaluate(_ instructions: [SymbolDecision], limits: RiskLimits = RiskLimits(max_leverage: 5),
                  account: AccountState? = nil) -> RiskGate.Verdict {
        RiskGate(limits: limits).evaluate(Decision(instructions: instructions), in: RiskContext(
            universe: [btc], account: account ?? self.account(), market: market(), instruments: { Instrument.defaultInstrument(for: $0) }))
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

    @Test("rebalances of one symbol in a row each become orders from the position the previous one leaves")
    func rebalancesInARow() {
        let long = Position(symbol: btc, size: FixedDecimal(2, exponent: 2), entryPrice: 100_000, leverage: 3)
        let steps = [FixedDecimal.zero, FixedDecimal(-1, exponent: 2), FixedDecimal(-2, exponent: 2)].map {
            SymbolDecision(symbol: btc, action: .rebalance, targetSize: $0, leverage: 3, justification: "step")
        }
        let verdict = evaluate(steps, account: account(positions: [btc: long]))
        #expect(verdict == .orders([
            GatedOrder(symbol: btc, side: .sell, size: FixedDecimal(2, exponent: 2), reduceOnly: true, leverage: nil),
            GatedOrder(symbol: btc, side: .sell, size: FixedDecimal(1, exponent: 2), reduceOnly: false, leverage: 3),
            GatedOrder(symbol: btc, side: .sell, size: FixedDecimal(1, exponent: 2), reduceOnly: false, leverage: 3),
        ]))
        // Any other action for a symbol seen before is still refused.
        let open = SymbolDecision(symbol: btc, action: .openLong, size: .usd(100), leverage: 1, justification: "")
        guard case .rejected(let text) = evaluate([steps[0], open]) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(text.contains("appears twice"))
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

@Suite("Risk limits by example")
struct RiskLimitTests {
    let btc = Symbol("BTC")!

    func context(positions: [Symbol: Position] = [:], reduceOnly: String? = nil, blocked: String? = nil, recentOrders: Int = 0) -> RiskContext {
        let book = OrderBook(bids: [BookLevel(price: 99_999, size: 10)], asks: [BookLevel(price: 100_001, size: 10)])
        let market = MarketSnapshot(time: Timestamp(milliseconds: 0), quotes: [btc: Quote(symbol: btc, mid: 100_000, mark: 100_000, book: book)])
        let account = AccountState(cash: 10_000, positions: positions, equity: 10_000, unrealizedPnl: .zero, marginUsed: .zero,
                                   time: Timestamp(milliseconds: 0))
        return RiskContext(universe: [btc], account: account, market: market, instruments: { Instrument.defaultInstrument(for: $0) },
                           reduceOnlyReason: reduceOnly, blockedReason: blocked, ordersInLastMinute: recentOrders)
    }

    func buy(_ size: FixedDecimal, reduceOnly: Bool = false) -> GatedOrder {
        GatedOrder(symbol: btc, side: .buy, size: size, reduceOnly: reduceOnly, leverage: 1)
    }

    @Test("a position may not grow past its notional limit, counting what is already held")
    func positionNotional() {
        let gate = RiskGate(limits: RiskLimits(max_position_notional: 5_000))
        #expect(gate.check([buy(FixedDecimal(4, exponent: 2))], in: context()) == nil)
        let held = [btc: Position(symbol: btc, size: FixedDecimal(3, exponent: 2), entryPrice: 100_000, leverage: 1)]
        #expect(gate.check([buy(FixedDecimal(3, exponent: 2))], in: context(positions: held))?.contains("above the account's limit of 5000") == true)
        // Reducing a position over the limit is always allowed.
        let big = [btc: Position(symbol: btc, size: FixedDecimal(-1), entryPrice: 100_000, leverage: 1)]
        #expect(gate.check([buy(FixedDecimal(5, exponent: 1), reduceOnly: true)], in: context(positions: big)) == nil)
    }

    @Test("all positions together may not pass the total notional limit")
    func totalNotional() {
        let gate = RiskGate(limits: RiskLimits(max_total_notional: 20_000))
        #expect(gate.check([buy(FixedDecimal(1, exponent: 1))], in: context()) == nil)
        #expect(gate.check([buy(FixedDecimal(3, exponent: 1))], in: context())?.contains("Total notional") == true)
    }

    @Test("the order rate limit counts the last minute")
    func orderRate() {
        let gate = RiskGate(limits: RiskLimits(max_orders_per_minute: 5))
        #expect(gate.check([buy(FixedDecimal(1, exponent: 3))], in: context(recentOrders: 4)) == nil)
        #expect(gate.check([buy(FixedDecimal(1, exponent: 3))], in: context(recentOrders: 5))?.contains("at most 5 orders per minute") == true)
    }

    @Test("a loss limit or halt leaves only reduce-only orders")
    func reduceOnlyHalts() {
        let gate = RiskGate(limits: RiskLimits())
        let halted = context(reduceOnly: "The daily loss limit of 100 USD is reached.")
        #expect(gate.check([buy(FixedDecimal(1, exponent: 3))], in: halted)?.contains("Only reduce-only orders are allowed") == true)
        #expect(gate.check([buy(FixedDecimal(1, exponent: 3), reduceOnly: true)], in: halted) == nil)
        let decision = Decision(instructions: [SymbolDecision(symbol: btc, action: .openLong, size: .usd(100), leverage: 1, justification: "")])
        guard case .rejected(let reason) = gate.evaluate(decision, in: halted) else {
            Issue.record("an opening decision passed a reduce-only halt")
            return
        }
        #expect(reason.contains("daily loss limit"))
    }

    @Test("the kill switch refuses every order, even reduce-only")
    func killSwitch() {
        let gate = RiskGate(limits: RiskLimits())
        let blocked = context(blocked: "The kill switch is engaged: test")
        #expect(gate.check([buy(FixedDecimal(1, exponent: 3), reduceOnly: true)], in: blocked) == "The kill switch is engaged: test")
    }

    @Test("limits that make no sense are refused when read", arguments: [
        #"{"max_leverage":0}"#, #"{"max_position_notional":"-1"}"#, #"{"max_orders_per_minute":0}"#, #"{"daily_loss_limit":"0"}"#,
        #"{"max_drawdown_pct":"150"}"#, #"{"max_total_notional":"abc"}"#,
    ])
    func invalidLimits(_ json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RiskLimits.self, from: Data(json.utf8)) }
    }
}

import Foundation
