import ArenaCore
import ArenaTestSupport
import Foundation
import HTTP
import Hyperliquid
import Logging
import Testing
@testable import Market

private let btc = Symbol("BTC")!  // A literal that is a valid symbol.
private let eth = Symbol("ETH")!

@Suite("Live Hyperliquid as a market source")
struct HyperliquidMarketTests {
    private func feed() throws -> (HyperliquidMarketFeed, HyperliquidUniverse, HTTPClient) {
        let http = try HTTPClient()
        let endpoint = try HyperliquidEndpoint(network: .testnet, baseURL: "http://127.0.0.1:9")
        let feed = HyperliquidMarketFeed(configuration: .init(endpoint: endpoint, coins: ["BTC", "ETH"]),
                                         info: HyperliquidInfoClient(http: http, endpoint: endpoint, limiter: RequestWeightLimiter()),
                                         logger: Logger(label: "test"))
        let meta = PerpMeta(universe: [PerpAssetInfo(name: "BTC", szDecimals: 5, maxLeverage: 40), PerpAssetInfo(name: "ETH", szDecimals: 4, maxLeverage: 25)])
        feed.apply(PerpMetaAndAssetContexts(meta: meta, assetContexts: [
            PerpAssetContext(funding: "0.0000125", openInterest: "100.0", oraclePx: "65010.0", markPx: "65005.0", midPx: "65000.0"),
            PerpAssetContext(funding: "-0.00001", openInterest: "200.0", oraclePx: "3001.0", markPx: "3000.5", midPx: "3000.0"),
        ]))
        return (feed, HyperliquidUniverse(meta: meta), http)
    }

    @Test("each step returns the feed's newest state, one fixed step later in market time")
    func stepsThroughTheFeed() throws {
        let (feed, universe, http) = try feed()
        defer { http.shutdown() }
        var market = try HyperliquidMarket(feed: feed, universe: universe, symbols: [eth, btc, try #require(Symbol("DOGE"))],
                                           start: Timestamp(milliseconds: 10_000), stepMilliseconds: 1_000)
        #expect(market.symbols == [btc, eth])
        #expect(market.instruments[btc]?.sizeDecimals == 5)
        #expect(market.description == "Hyperliquid testnet (live)")

        let first = try #require(try market.next())
        #expect(first.time == Timestamp(milliseconds: 10_000))
        #expect(first[btc]?.mid == FixedDecimal(65_000) && first[btc]?.mark == FixedDecimal(65_005))
        #expect(first[eth]?.fundingRate == FixedDecimal(-1, exponent: 5))

        feed.apply(.l2Book(L2BookSnapshot(coin: "BTC", time: 1, levels: [[L2Level(px: "65100.0", sz: "1.0", n: 1)], [L2Level(px: "65102.0", sz: "2.0", n: 1)]])))
        feed.apply(.allMids(["BTC": "65101.0"]))
        feed.apply(.trades([TradeWire(coin: "BTC", side: "B", px: "65101.0", sz: "0.3", time: 2, tid: 1)]))
        let second = try #require(try market.next())
        #expect(second.time == Timestamp(milliseconds: 11_000))
        #expect(second[btc]?.mid == FixedDecimal(65_101))
        #expect(second[btc]?.book.bestAsk == FixedDecimal(65_102))
        #expect(second[btc]?.volume == FixedDecimal(3, exponent: 1))
        // Volume counts only what traded since the previous step.
        #expect(try market.next()?[btc]?.volume == .zero)
    }

    @Test("a source needs at least one symbol the venue lists")
    func needsListedSymbols() throws {
        let (feed, universe, http) = try feed()
        defer { http.shutdown() }
        let doge = try #require(Symbol("DOGE"))
        #expect(throws: MarketError.self) {
            try HyperliquidMarket(feed: feed, universe: universe, symbols: [doge], start: Timestamp(milliseconds: 0))
        }
    }

    @Test("an unreachable venue falls back to the simulation within the time limit, and says so", .timeLimit(.minutes(3)))
    func fallsBackToSimulation() async throws {
        // A venue that takes the connection and never answers: only the timeout ends the wait.
        let silent = try Loopback.listener()
        defer { close(silent.descriptor) }
        let endpoint = try HyperliquidEndpoint(network: .mainnet, baseURL: "http://127.0.0.1:\(silent.port)")
        let clock = ContinuousClock()
        let start = clock.now
        let choice = try await LiveMarketSelection.hyperliquidOrSimulation(
            endpoint: endpoint, symbols: [btc], seed: 7, start: Timestamp(milliseconds: 0), timeout: .seconds(1), logger: Logger(label: "test"))
        // It waited for the venue, and the 1 s timeout ended the wait. The upper bound is loose: the
        // parallel suite on two cores has held trivial tests for 60 s; a wait without the timeout
        // never ends and the time limit fails it.
        #expect(clock.now - start >= .seconds(1))
        #expect(clock.now - start < .seconds(150))
        #expect(choice.feed == nil && choice.fallbackReason != nil)
        #expect(choice.source.description == "simulation (seed 7; fallback: Hyperliquid unreachable)")
        var source = choice.source
        #expect(try source.next()?.quotes.isEmpty == false)
    }
}
