import ArenaCore
import Testing
@testable import Market

func symbol(_ name: String) -> Symbol {
    guard let symbol = Symbol(name) else { preconditionFailure("test symbol \(name) is invalid") }
    return symbol
}

func decimal(_ text: String) -> FixedDecimal {
    guard let value = FixedDecimal(text) else { preconditionFailure("test decimal \(text) is invalid") }
    return value
}

/// Checks the invariants every synthetic book must keep.
func expectWellFormed(_ book: OrderBook, instrument: Instrument, levels: Int = 20,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(book.bids.count == levels, "bid levels", sourceLocation: sourceLocation)
    #expect(book.asks.count == levels, "ask levels", sourceLocation: sourceLocation)
    for pair in zip(book.bids, book.bids.dropFirst()) {
        #expect(pair.0.price > pair.1.price, "bids strictly descending", sourceLocation: sourceLocation)
    }
    for pair in zip(book.asks, book.asks.dropFirst()) {
        #expect(pair.0.price < pair.1.price, "asks strictly ascending", sourceLocation: sourceLocation)
    }
    for level in book.bids + book.asks {
        #expect(instrument.isValidPrice(level.price), "price \(level.price) on the grid", sourceLocation: sourceLocation)
        #expect(instrument.isValidSize(level.size), "size \(level.size) on the size step", sourceLocation: sourceLocation)
    }
    if let bid = book.bestBid, let ask = book.bestAsk, let mid = book.mid {
        #expect(bid < ask, "bids below asks", sourceLocation: sourceLocation)
        #expect(bid < mid && mid < ask, "mid between best bid and ask", sourceLocation: sourceLocation)
    } else {
        Issue.record("empty book", sourceLocation: sourceLocation)
    }
}

@Suite("Synthetic book")
struct BookBuilderTests {
    @Test("books keep 20 levels a side on the grid around prices near grid boundaries",
          arguments: [("BTC", "97000"), ("BTC", "9999.95"), ("ETH", "3400.07"), ("ETH", "10000.2"),
                      ("SOL", "190.123"), ("SOL", "99.996"), ("SOL", "1.00004")])
    func wellFormed(name: String, price: String) {
        let instrument = Instrument.defaultInstrument(for: symbol(name))
        var random = SeededRandom(seed: 1)
        let builder = BookBuilder()
        for _ in 0..<20 {
            let book = builder.book(around: decimal(price), instrument: instrument, topLevelNotional: 20_000, random: &random)
            expectWellFormed(book, instrument: instrument)
            // The mid stays within a few steps of the requested price.
            let mid = book.mid ?? .zero
            #expect((mid - decimal(price)).magnitude <= instrument.priceStep(at: instrument.roundPrice(decimal(price))) * 3)
        }
    }

    @Test("a $100k market buy walks several levels of a BTC book but not the whole side")
    func depth() {
        let instrument = Instrument.defaultInstrument(for: symbol("BTC"))
        var random = SeededRandom(seed: 3)
        let book = BookBuilder().book(around: 97_000, instrument: instrument, topLevelNotional: 20_000, random: &random)
        var remaining = FixedDecimal(100_000)
        var levelsTouched = 0
        for level in book.asks where remaining.isPositive {
            remaining -= level.price * level.size
            levelsTouched += 1
        }
        #expect(levelsTouched >= 3)
        #expect(levelsTouched <= 8)
        // The spread is a fraction of a basis point: at most a few dollars at 97,000.
        let spread = (book.bestAsk ?? .zero) - (book.bestBid ?? .zero)
        #expect(spread >= 1 && spread <= 5)
    }

    @Test("the bid side stops at the smallest positive price instead of going to zero")
    func cheapCoin() {
        let instrument = Instrument(symbol: symbol("TINY"), sizeDecimals: 2, maxLeverage: 3)
        var random = SeededRandom(seed: 2)
        let book = BookBuilder().book(around: decimal("0.0005"), instrument: instrument, topLevelNotional: 1_000, random: &random)
        #expect(book.asks.count == 20)
        #expect(book.bids.count < 20)
        #expect(book.bids.allSatisfy { $0.price.isPositive })
    }

    @Test("the price step follows the five-significant-figure rule")
    func priceStep() {
        let btc = Instrument.defaultInstrument(for: symbol("BTC"))
        let sol = Instrument.defaultInstrument(for: symbol("SOL"))
        #expect(btc.priceStep(at: 97_000) == 1)
        #expect(btc.priceStep(at: decimal("3400.5")) == decimal("0.1"))
        #expect(sol.priceStep(at: decimal("190.12")) == decimal("0.01"))
        #expect(sol.priceStep(at: decimal("99.99")) == decimal("0.001"))
        #expect(sol.priceStep(at: decimal("0.5")) == decimal("0.0001"))
        #expect(sol.validPrice(below: 100) == decimal("99.99"))
        #expect(sol.validPrice(above: decimal("99.999")) == 100)
    }
}
