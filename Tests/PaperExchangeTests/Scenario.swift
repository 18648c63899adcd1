import ArenaCore
@testable import PaperExchange

/// A random but seeded stream of markets and orders over BTC and ETH, for property and
/// determinism tests. The market walks at most 0.3% a step, so that a liquidation starts from a
/// positive account value as the venue's margin rules intend.
struct Scenario {
    struct Market {
        let symbol: Symbol
        var mid: FixedDecimal
        let tick: FixedDecimal
        let minimumLevelSize: FixedDecimal
        let maximumLevelSize: FixedDecimal
        let maximumOrderSize: FixedDecimal
    }

    var random: RandomSource
    var exchange: PaperExchange
    var markets: [Market]
    var time = Fixtures.time(0)
    var sequence: UInt64 = 0

    init(seed: UInt64, realism: Bool, cash: FixedDecimal = 10_000) {
        random = RandomSource(seed: seed &* 0x9E37_79B9 &+ 17)
        var configuration = PaperExchangeConfiguration()
        if realism { configuration.realism = RealismProfile() }
        exchange = PaperExchange(configuration: configuration, startingCash: cash, seed: seed)
        markets = [
            Market(symbol: Fixtures.btc, mid: 100_000, tick: 1, minimumLevelSize: Fixtures.decimal("0.05"),
                   maximumLevelSize: 2, maximumOrderSize: Fixtures.decimal("0.8")),
            Market(symbol: Fixtures.eth, mid: 3_000, tick: Fixtures.decimal("0.1"), minimumLevelSize: 1,
                   maximumLevelSize: 30, maximumOrderSize: 20),
        ]
    }

    /// Moves every market and returns the snapshot.
    mutating func nextSnapshot() -> MarketSnapshot {
        time = time.adding(milliseconds: random.next(in: 1...900 as ClosedRange<Int64>) * 1000)
        var quotes: [Symbol: Quote] = [:]
        for index in markets.indices {
            var market = markets[index]
            let moveBasisPoints = random.next(in: -30...30 as ClosedRange<Int64>)
            let moved = market.mid + market.mid * FixedDecimal(Int(moveBasisPoints)) / 10_000
            market.mid = moved.rounded(decimals: market.tick == 1 ? 0 : 1, .halfAwayFromZero)
            markets[index] = market
            var bids: [BookLevel] = []
            var asks: [BookLevel] = []
            for level in 1...20 {
                bids.append(BookLevel(price: market.mid - market.tick * level, size: levelSize(market)))
                asks.append(BookLevel(price: market.mid + market.tick * level, size: levelSize(market)))
            }
            let rate = FixedDecimal(raw: random.next(in: -20_000...20_000 as ClosedRange<Int64>))  // ±0.0002
            quotes[market.symbol] = Quote(symbol: market.symbol, mid: market.mid, mark: market.mid,
                                          book: OrderBook(bids: bids, asks: asks), fundingRate: rate)
        }
        return MarketSnapshot(time: time, quotes: quotes)
    }

    mutating func levelSize(_ market: Market) -> FixedDecimal {
        random.next(in: market.minimumLevelSize...market.maximumLevelSize).rounded(decimals: 2, .towardZero)
    }

    /// Performs one random action and returns its events.
    mutating func nextAction() -> [ExchangeEvent] {
        let market = markets[Int(random.next() % UInt64(markets.count))]
        let instrument = exchange.configuration.instrument(for: market.symbol)
        let side: Side = random.next() % 2 == 0 ? .buy : .sell
        let size = instrument.roundSize(random.next(in: FixedDecimal(1, exponent: 3)...market.maximumOrderSize))
        sequence += 1
        let id = ClientOrderID(account: AccountID(1), sequence: sequence)
        let offset = market.tick * Int(random.next(in: -40...40 as ClosedRange<Int64>))
        let price = instrument.roundPrice(market.mid + offset, .halfAwayFromZero)
        switch random.next() % 10 {
        case 0, 1, 2:
            return exchange.submit(OrderRequest(clientOrderID: id, symbol: market.symbol, side: side, size: size,
                                                type: .market(slippageBound: OrderType.defaultSlippageBound)), at: time)
        case 3, 4:
            let timeInForce: [TimeInForce] = [.gtc, .ioc, .alo]
            return exchange.submit(OrderRequest(clientOrderID: id, symbol: market.symbol, side: side, size: size,
                                                type: .limit(price: price, timeInForce: timeInForce[Int(random.next() % 3)])), at: time)
        case 5:
            let kind: TriggerKind = random.next() % 2 == 0 ? .takeProfit : .stopLoss
            let limit: FixedDecimal? = random.next() % 2 == 0 ? nil : price
            return exchange.submit(OrderRequest(clientOrderID: id, symbol: market.symbol, side: side, size: size,
                                                type: .trigger(triggerPrice: price, kind: kind, limitPrice: limit),
                                                reduceOnly: true), at: time)
        case 6:
            guard let open = randomOpenOrder() else { return [] }
            return (try? exchange.cancel(open.request.clientOrderID, at: time)) ?? []
        case 7:
            guard let open = randomOpenOrder() else { return [] }
            let newSize = open.filledSize + instrument.roundSize(random.next(in: FixedDecimal(1, exponent: 3)...market.maximumOrderSize))
            return (try? exchange.modify(open.request.clientOrderID, size: newSize, at: time)) ?? []
        case 8:
            let leverage = Int(random.next(in: 1...Int64(instrument.maxLeverage) as ClosedRange<Int64>))
            try? exchange.setLeverage(leverage, for: market.symbol)
            return []
        default:
            return exchange.submit(OrderRequest(clientOrderID: id, symbol: market.symbol, side: side, size: size,
                                                type: .market(slippageBound: OrderType.defaultSlippageBound), reduceOnly: true), at: time)
        }
    }

    mutating func randomOpenOrder() -> Order? {
        let open = exchange.openOrders
        guard !open.isEmpty else { return nil }
        return open[Int(random.next() % UInt64(open.count))]
    }

    /// Runs `steps` snapshots with up to three actions each and returns every event in order;
    /// `inspect` sees the exchange and each batch as it happens.
    mutating func run(steps: Int, inspect: (PaperExchange, [ExchangeEvent]) -> Void = { _, _ in }) -> [ExchangeEvent] {
        var log: [ExchangeEvent] = []
        for _ in 0..<steps {
            let snapshot = nextSnapshot()
            let applied = exchange.apply(snapshot)
            inspect(exchange, applied)
            log += applied
            for _ in 0..<Int(random.next() % 4) {
                let events = nextAction()
                inspect(exchange, events)
                log += events
            }
        }
        return log
    }
}
