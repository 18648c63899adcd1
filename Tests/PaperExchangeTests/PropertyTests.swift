import ArenaCore
import Testing
@testable import PaperExchange

@Suite("Ledger properties over random order streams")
struct PropertyTests {
    /// What the tests rebuild from the events alone, to compare with the exchange.
    struct Ledger {
        var cash: FixedDecimal
        var positions: [Symbol: Position] = [:]
        var filledByOrder: [ClientOrderID: FixedDecimal] = [:]
        var lastOrder: [ClientOrderID: Order] = [:]
        var fees = FixedDecimal.zero
        var funding = FixedDecimal.zero
        var liquidations = 0
        var fills = 0

        mutating func record(_ event: ExchangeEvent) {
            switch event {
            case let .orderUpdated(order):
                lastOrder[order.request.clientOrderID] = order
            case let .filled(fill):
                fills += 1
                var position = positions[fill.symbol] ?? Position(symbol: fill.symbol)
                let realized = position.apply(side: fill.side, size: fill.size, price: fill.price)
                #expect(realized == fill.realizedPnl)
                positions[fill.symbol] = position
                cash += fill.realizedPnl - fill.fee
                fees += fill.fee
                filledByOrder[fill.clientOrderID, default: .zero] += fill.size
            case let .fundingPaid(payment):
                cash += payment.amount
                funding += payment.amount
            case .liquidated:
                liquidations += 1
            }
        }
    }

    @Test("cash plus unrealised PnL is equity, fills never exceed orders, fees and funding add up, liquidations end at or above zero",
          arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func ledgerInvariants(seed: UInt64) {
        var scenario = Scenario(seed: seed, realism: seed % 2 == 0)
        var ledger = Ledger(cash: scenario.exchange.cash)
        var marks: [Symbol: FixedDecimal] = [:]
        _ = scenario.run(steps: 400) { exchange, events in
            for event in events { ledger.record(event) }
            for symbol in [Fixtures.btc, Fixtures.eth] {
                if let mark = exchange.quote(for: symbol)?.mark { marks[symbol] = mark }
            }
            let state = exchange.accountState()
            var unrealized = FixedDecimal.zero
            for (symbol, position) in state.positions {
                let mark = marks[symbol] ?? position.entryPrice
                unrealized += (mark - position.entryPrice) * position.size
            }
            #expect(state.equity == state.cash + unrealized)
            #expect(state.unrealizedPnl == unrealized)
            #expect(state.cash == ledger.cash)
            #expect(exchange.ledger.balance == exchange.cash)
            #expect(exchange.ledger.fees == ledger.fees)
            #expect(exchange.ledger.funding == ledger.funding)
            for (symbol, position) in ledger.positions {
                let size = exchange.position(symbol)?.size ?? .zero
                #expect(size == position.size)
                if !position.isFlat { #expect(exchange.position(symbol)?.entryPrice == position.entryPrice) }
            }
            for order in events.orders {
                let latest = ledger.lastOrder[order.request.clientOrderID] ?? order
                #expect(latest.filledSize <= latest.request.size)
                let filled = ledger.filledByOrder[order.request.clientOrderID] ?? .zero
                #expect(latest.filledSize == filled)
                #expect(latest.status != .rejected || latest.filledSize.isZero)
            }
            if !events.liquidations.isEmpty {
                #expect(state.positions.isEmpty)
                #expect(exchange.openOrders.isEmpty)
                #expect(!state.cash.isNegative)
            }
        }
        #expect(ledger.fills > 100)
        #expect(!ledger.funding.isZero)
    }

    @Test("positions near maximum leverage are liquidated and still end at or above zero", arguments: [11, 12, 13] as [UInt64])
    func liquidationsEndAboveZero(seed: UInt64) throws {
        var scenario = Scenario(seed: seed, realism: false, cash: 2_000)
        for symbol in [Fixtures.btc, Fixtures.eth] {
            try scenario.exchange.setLeverage(scenario.exchange.configuration.instrument(for: symbol).maxLeverage, for: symbol)
        }
        var liquidations = 0
        for step in 0..<1_500 {
            let events = scenario.exchange.apply(scenario.nextSnapshot())
            if !events.liquidations.isEmpty {
                liquidations += 1
                #expect(scenario.exchange.accountState().positions.isEmpty)
                #expect(scenario.exchange.openOrders.isEmpty)
                #expect(!scenario.exchange.cash.isNegative)
                let closing = Array(events.drop { if case .liquidated = $0 { false } else { true } }).fills
                #expect(!closing.isEmpty)
                #expect(closing.allSatisfy { $0.isLiquidation })
            }
            // Take profits early so that the stream keeps opening new positions.
            let state = scenario.exchange.accountState()
            if let position = state.positions[Fixtures.btc], state.unrealizedPnl > state.cash / 4 {
                let side: Side = position.size.isPositive ? .sell : .buy
                let closed = scenario.exchange.submit(Fixtures.market(UInt64(100_000 + step), side, position.size.magnitude.description,
                                                                      reduceOnly: true), at: scenario.time)
                #expect(closed.orders.last?.status == .filled)
            }
            // When flat, open the largest BTC position the margin allows, in a random direction.
            guard scenario.exchange.accountState().positions.isEmpty, scenario.exchange.cash > 50,
                  let mid = scenario.exchange.quote(for: Fixtures.btc)?.mid else { continue }
            let instrument = scenario.exchange.configuration.instrument(for: Fixtures.btc)
            let size = instrument.roundSize(scenario.exchange.cash * 38 / mid)
            let side: Side = scenario.random.next() % 2 == 0 ? .buy : .sell
            let opened = scenario.exchange.submit(Fixtures.market(UInt64(step + 1), side, size.description), at: scenario.time)
            #expect(opened.orders.last?.status == .filled)
        }
        #expect(liquidations >= 3, "\(scenario.exchange.accountState()) \(scenario.markets.map(\.mid))")
    }
}
