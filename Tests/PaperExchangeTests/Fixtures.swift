import ArenaCore
import ArenaTestSupportCore
@testable import PaperExchange

/// Factories shared by the paper exchange tests.
enum Fixtures {
    static let btc = Symbol("BTC").unsafelyUnwrappedForTests
    static let eth = Symbol("ETH").unsafelyUnwrappedForTests
    static let sol = Symbol("SOL").unsafelyUnwrappedForTests

    static func time(_ seconds: Int64) -> Timestamp { Timestamp(milliseconds: 1_700_000_000_000 + seconds * 1000) }

    static func decimal(_ text: String) -> FixedDecimal {
        guard let value = FixedDecimal(text) else { fatalError("bad decimal literal in a test: \(text)") }
        return value
    }

    /// A book with `levels` levels each side around `mid`, one `step` apart, `size` coins each.
    static func book(mid: FixedDecimal, step: FixedDecimal, size: FixedDecimal, levels: Int = 5) -> OrderBook {
        TestMarkets.book(mid: mid, step: step, size: size, levels: levels)
    }

    /// A snapshot with one BTC quote: mid 100,000, levels 1 apart, 0.1 BTC each.
    static func btcSnapshot(at seconds: Int64 = 0, mid: FixedDecimal = 100_000, size: String = "0.1",
                            fundingRate: FixedDecimal = .zero, levels: Int = 5) -> MarketSnapshot {
        let book = book(mid: mid, step: 1, size: decimal(size), levels: levels)
        let quote = Quote(symbol: btc, mid: book.mid ?? mid, mark: mid, book: book, fundingRate: fundingRate)
        return MarketSnapshot(time: time(seconds), quotes: [btc: quote])
    }

    static func id(_ sequence: UInt64) -> ClientOrderID { ClientOrderID(account: AccountID(7), sequence: sequence) }

    static func market(_ sequence: UInt64, _ side: Side, _ size: String, symbol: Symbol = btc, reduceOnly: Bool = false) -> OrderRequest {
        OrderRequest(clientOrderID: id(sequence), symbol: symbol, side: side, size: decimal(size),
                     type: .market(slippageBound: OrderType.defaultSlippageBound), reduceOnly: reduceOnly)
    }

    static func limit(_ sequence: UInt64, _ side: Side, _ size: String, at price: String, _ timeInForce: TimeInForce = .gtc,
                      symbol: Symbol = btc, reduceOnly: Bool = false) -> OrderRequest {
        OrderRequest(clientOrderID: id(sequence), symbol: symbol, side: side, size: decimal(size),
                     type: .limit(price: decimal(price), timeInForce: timeInForce), reduceOnly: reduceOnly)
    }

    static func exchange(cash: FixedDecimal = 10_000, configuration: PaperExchangeConfiguration = PaperExchangeConfiguration(),
                         seed: UInt64 = 1) -> PaperExchange {
        PaperExchange(configuration: configuration, startingCash: cash, seed: seed)
    }
}

extension Optional {
    /// Unwraps a literal the test itself wrote; a nil is a defect of the test.
    var unsafelyUnwrappedForTests: Wrapped {
        guard let value = self else { fatalError("nil literal in a test fixture") }
        return value
    }
}

extension [ExchangeEvent] {
    var orders: [Order] { compactMap { if case let .orderUpdated(order) = $0 { order } else { nil } } }
    var fills: [Fill] { compactMap { if case let .filled(fill) = $0 { fill } else { nil } } }
    var fundingPayments: [FundingPayment] { compactMap { if case let .fundingPaid(payment) = $0 { payment } else { nil } } }
    var liquidations: [Liquidation] { compactMap { if case let .liquidated(liquidation) = $0 { liquidation } else { nil } } }
}
