import Arena
import ArenaCore
import Hummingbird

/// The market as a trader's bot reads it: every coin with the venue's rules, prices, funding,
/// open interest and 24-hour volume, and one coin with the top of its book.
struct MarketsController: Sendable {
    let arena: any ArenaInterface

    /// Levels of each side shown for one coin.
    static let bookDepth = 5

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/api/markets") { _, _ in try markets() }
        router.get("/api/markets/{symbol}") { _, context in try market(context.parameters.get("symbol")) }
    }

    struct MarketView: Encodable {
        let symbol: String
        let size_decimals: Int
        let max_leverage: Int
        let mid: String
        let mark: String
        /// The hourly funding rate.
        let funding_rate: String
        /// In coins; null where the source does not report it.
        let open_interest: String?
        /// Coins traded in the last 24 hours of market time.
        let volume_24h: String
        /// The same, valued at each update's mid.
        let volume_24h_usd: String
        let time: Int64

        init(_ summary: MarketSummary) {
            symbol = summary.quote.symbol.name
            size_decimals = summary.instrument.sizeDecimals
            max_leverage = summary.instrument.maxLeverage
            mid = summary.quote.mid.description
            mark = summary.quote.mark.description
            funding_rate = summary.quote.fundingRate.description
            open_interest = summary.quote.openInterest?.description
            volume_24h = summary.volume24h.description
            volume_24h_usd = summary.volumeUSD24h.rounded(decimals: 2).description
            time = summary.time.milliseconds
        }
    }

    struct Level: Encodable {
        let price: String
        let size: String
    }

    struct MarketDetail: Encodable {
        let market: MarketView
        let best_bid: String?
        let best_ask: String?
        /// Best first, at most `bookDepth` levels.
        let bids: [Level]
        let asks: [Level]
    }

    struct MarketList: Encodable {
        let markets: [MarketView]
        let time: Int64?
    }

    func markets() throws -> JSONResponse {
        let summaries = arena.markets()
        return try JSONResponse(MarketList(markets: summaries.map(MarketView.init), time: summaries.first?.time.milliseconds))
    }

    func market(_ text: String?) throws -> JSONResponse {
        guard let text, let symbol = Symbol(text) else { throw APIError(.badRequest, "The symbol must be a coin name such as BTC.") }
        guard let summary = arena.markets().first(where: { $0.quote.symbol == symbol }) else {
            throw APIError(.notFound, "The market has no \(symbol.name) (yet).")
        }
        let book = summary.quote.book
        let levels = { (side: [BookLevel]) in side.prefix(Self.bookDepth).map { Level(price: $0.price.description, size: $0.size.description) } }
        return try JSONResponse(MarketDetail(market: MarketView(summary), best_bid: book.bestBid?.description,
                                             best_ask: book.bestAsk?.description, bids: levels(book.bids), asks: levels(book.asks)))
    }
}
