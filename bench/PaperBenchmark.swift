import ArenaCore
import ArenaTestSupportCore
import PaperExchange

/// Measures the paper exchange's matching alone (book walk, fees, margin check, position and
/// ledger update) on one core: `orders` market orders, alternately buying and selling 0.01 BTC,
/// against a 20-level BTC book whose depth is restored by a fresh snapshot every 1,000 orders.
/// Returns one JSON line of figures.
func runPaperMatchingBenchmark(orders: Int) -> String {
    guard let symbol = Symbol("BTC"), let levelSize = FixedDecimal("1"), let orderSize = FixedDecimal("0.01") else {
        return #"{"benchmark":"paper-matching","error":"bad constants"}"#
    }
    let quote = TestMarkets.quote(symbol, mid: 100_000, book: TestMarkets.book(mid: 100_000, size: levelSize, levels: 20))
    var exchange = PaperExchange(configuration: PaperExchangeConfiguration(), startingCash: 10_000_000, seed: 1)
    let requests = [Side.buy, Side.sell].enumerated().map { index, side in
        OrderRequest(clientOrderID: ClientOrderID(account: AccountID(1), sequence: UInt64(index + 1)), symbol: symbol,
                     side: side, size: orderSize, type: .market(slippageBound: OrderType.defaultSlippageBound))
    }
    var time = Timestamp(milliseconds: 1_700_000_000_000)
    var fills = 0
    var filledOrders = 0
    let clock = ContinuousClock()
    let start = clock.now
    for index in 0..<orders {
        if index % 1_000 == 0 {
            time = time.adding(milliseconds: 1)
            _ = exchange.apply(MarketSnapshot(time: time, quotes: [symbol: quote]))
        }
        let events = exchange.submit(requests[index & 1], at: time)
        fills += events.count - 1
        if case let .orderUpdated(order) = events.first, order.status == .filled { filledOrders += 1 }
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = seconds > 0 ? Double(orders) / seconds : 0
    return #"{"benchmark":"paper-matching","orders":\#(orders),"filled_orders":\#(filledOrders),"fills":\#(fills),"#
        + #""book_levels":20,"seconds":\#(seconds),"orders_per_second":\#(Int(rate))}"#
}
