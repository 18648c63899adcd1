import ArenaCore
import Testing
@testable import PaperExchange

/// The noisy profile's size-based slippage on coins with a book: each taker fill of the book walk
/// moves against the taker by the slippage of the order's notional, never past the order's limit;
/// maker fills and the faithful venue are untouched.
@Suite("Realism slippage against a book")
struct RealismSlippageTests {
    let profile = RealismProfile(rejectionProbability: 0, partialFillProbability: 0, latencyRange: nil)

    @Test("a market order fills at the book walk's price moved by 0.01% plus 0.09% of its share of $100,000")
    func marketOrders() throws {
        var exchange = Fixtures.exchange(cash: 100_000, configuration: PaperExchangeConfiguration(realism: profile))
        _ = exchange.apply(Fixtures.btcSnapshot(size: "10"))
        // $1,000.01 at 100,001: 0.0109% more is 100,011.90, rounded up against the buyer.
        #expect(exchange.submit(Fixtures.market(1, .buy, "0.01"), at: Fixtures.time(1)).fills.map(\.price) == [100_012])
        // $999.99 at 99,999: 0.0109% less is 99,988.10, rounded down against the seller.
        #expect(exchange.submit(Fixtures.market(2, .sell, "0.01"), at: Fixtures.time(1)).fills.map(\.price) == [99_988])
        // $50,000 at 100,001: 0.055% more.
        #expect(exchange.submit(Fixtures.market(3, .buy, "0.5"), at: Fixtures.time(1)).fills.map(\.price) == [100_057])
        // The faithful venue fills at the book.
        var venue = Fixtures.exchange(cash: 100_000)
        _ = venue.apply(Fixtures.btcSnapshot(size: "10"))
        #expect(venue.submit(Fixtures.market(1, .buy, "0.01"), at: Fixtures.time(1)).fills.map(\.price) == [100_001])
    }

    @Test("slippage never takes a fill past the order's limit, and a resting order filled later is not slipped")
    func limits() throws {
        var exchange = Fixtures.exchange(cash: 100_000, configuration: PaperExchangeConfiguration(realism: profile))
        _ = exchange.apply(Fixtures.btcSnapshot(size: "10"))
        let capped = exchange.submit(Fixtures.limit(1, .buy, "0.01", at: "100005", .ioc), at: Fixtures.time(1)).fills
        #expect(capped.map(\.price) == [100_005])
        // A resting bid filled when the market comes down to it is a maker fill at its price.
        _ = exchange.submit(Fixtures.limit(2, .buy, "0.01", at: "99000"), at: Fixtures.time(1))
        let filled = exchange.apply(Fixtures.btcSnapshot(at: 2, mid: 98_900, size: "10")).fills
        #expect(filled.map(\.price) == [99_000])
    }
}
