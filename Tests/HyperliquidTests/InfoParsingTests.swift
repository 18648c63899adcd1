import ArenaCore
import Foundation
import Testing
@testable import Hyperliquid

/// Answers in the shapes the venue's documentation shows for `/info`, trimmed to a few entries.
enum CapturedInfo {
    static let metaAndAssetContexts = #"""
    [{"universe":[{"name":"BTC","szDecimals":5,"maxLeverage":40,"marginTableId":56},
                  {"name":"ETH","szDecimals":4,"maxLeverage":25,"marginTableId":55},
                  {"name":"MATIC","szDecimals":1,"maxLeverage":20,"isDelisted":true},
                  {"name":"kPEPE","szDecimals":0,"maxLeverage":10,"onlyIsolated":true},
                  {"name":"@1","szDecimals":2,"maxLeverage":3},
                  {"name":"BROKEN","szDecimals":9,"maxLeverage":3}],
      "marginTables":[[55,{"description":"","marginTiers":[{"lowerBound":"0.0","maxLeverage":25}]}]]},
     [{"funding":"0.0000125","openInterest":"28653.71314","prevDayPx":"112011.0","dayNtlVlm":"3157011932.3659596443",
       "premium":"0.00031582","oraclePx":"113390.0","markPx":"113427.0","midPx":"113426.5","impactPxs":["113426.0","113427.0"],
       "dayBaseVlm":"27822.56813"},
      {"funding":"-0.0000031","openInterest":"1000.5","prevDayPx":"3600.0","dayNtlVlm":"1.0","premium":null,
       "oraclePx":"3601.1","markPx":"3602.2","midPx":null,"impactPxs":null,"dayBaseVlm":"1.0"},
      {"funding":"0.0","openInterest":"0.0","prevDayPx":"0.5","dayNtlVlm":"0.0","premium":null,"oraclePx":"0.5","markPx":"0.5","midPx":null},
      {"funding":"0.0000125","openInterest":"12345678901.0","prevDayPx":"0.0101","dayNtlVlm":"1.0","oraclePx":"0.0102",
       "markPx":"0.0103","midPx":"0.01025"},
      {"funding":"0.0","openInterest":"0.0","oraclePx":"1.0","markPx":"1.0","midPx":"1.0"},
      {"funding":"0.0","openInterest":"0.0","oraclePx":"1.0","markPx":"1.0","midPx":"1.0"}]]
    """#

    static let l2Book = #"""
    {"coin":"BTC","time":1754450974231,
     "levels":[[{"px":"113377.0","sz":"7.6699","n":17},{"px":"113376.0","sz":"4.13714","n":8}],
               [{"px":"113378.0","sz":"0.2","n":1},{"px":"113380.0","sz":"1.5","n":3}]]}
    """#

    static let clearinghouseState = #"""
    {"assetPositions":[
       {"position":{"coin":"ETH","cumFunding":{"allTime":"514.085417","sinceChange":"0.0","sinceOpen":"0.0"},"entryPx":"2986.3",
                    "leverage":{"rawUsd":"-95.059824","type":"isolated","value":20},"liquidationPx":"2866.26936529","marginUsed":"4.967826",
                    "maxLeverage":50,"positionValue":"100.02765","returnOnEquity":"-0.0026789","szi":"0.0335","unrealizedPnl":"-0.0134"},
        "type":"oneWay"},
       {"position":{"coin":"BTC","entryPx":"65000.0","leverage":{"type":"cross","value":10},"liquidationPx":null,"marginUsed":"65.1",
                    "maxLeverage":40,"positionValue":"651.0","returnOnEquity":"0.0","szi":"-0.01","unrealizedPnl":"-1.0"},
        "type":"oneWay"}],
     "crossMaintenanceMarginUsed":"0.0",
     "crossMarginSummary":{"accountValue":"13104.514502","totalMarginUsed":"0.0","totalNtlPos":"0.0","totalRawUsd":"13104.514502"},
     "marginSummary":{"accountValue":"13109.482328","totalMarginUsed":"4.967826","totalNtlPos":"100.02765","totalRawUsd":"13009.454678"},
     "time":1708622398623,"withdrawable":"13104.514502"}
    """#

    static let userFills = #"""
    [{"closedPnl":"0.0","coin":"ETH","crossed":false,"dir":"Open Long","hash":"0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8",
      "oid":90542681,"px":"1891.4","side":"B","startPosition":"26.86","sz":"0.0053","time":1681222254710,"fee":"0.00148","feeToken":"USDC",
      "builderFee":"0.0","tid":118906512037719},
     {"closedPnl":"12.5","coin":"BTC","crossed":true,"dir":"Close Short","hash":"0x00","oid":77,"px":"64000.0","side":"B",
      "startPosition":"-0.01","sz":"0.01","time":1681222254800,"fee":"-0.0064","feeToken":"USDC","tid":5,
      "cloid":"0x0000000000000007000000000000000a","liquidation":{"liquidatedUser":"0x0000000000000000000000000000000000000001","markPx":"64000.0","method":"market"}}]
    """#

    static let orderStatusFilled = #"""
    {"status":"order","order":{"order":{"coin":"ETH","side":"A","limitPx":"2412.7","sz":"0.0","oid":1,"timestamp":1724361546645,
      "triggerCondition":"N/A","isTrigger":false,"triggerPx":"0.0","children":[],"isPositionTpsl":false,"reduceOnly":true,
      "orderType":"Market","origSz":"0.0076","tif":"FrontendMarket","cloid":"0x0000000000000007000000000000000b"},
      "status":"filled","statusTimestamp":1724361546645}}
    """#

    static let frontendOpenOrders = #"""
    [{"coin":"BTC","isPositionTpsl":false,"isTrigger":true,"limitPx":"57000.0","oid":2,"orderType":"Stop Market","origSz":"0.01",
      "reduceOnly":true,"side":"A","sz":"0.01","tif":null,"timestamp":1724361546645,"triggerCondition":"Price below 60000",
      "triggerPx":"60000.0","cloid":"0x0000000000000007000000000000000c","children":[]},
     {"coin":"ETH","isPositionTpsl":false,"isTrigger":false,"limitPx":"2500.0","oid":3,"orderType":"Limit","origSz":"0.2",
      "reduceOnly":false,"side":"B","sz":"0.15","tif":"Alo","timestamp":1724361546000,"triggerCondition":"N/A","triggerPx":"0.0",
      "cloid":"0x0000000000000007000000000000000d","children":[]},
     {"coin":"ETH","isTrigger":false,"limitPx":"2400.0","oid":4,"orderType":"Limit","origSz":"0.2","reduceOnly":false,"side":"B",
      "sz":"0.2","tif":"Gtc","timestamp":1724361546000,"triggerCondition":"N/A","triggerPx":"0.0","cloid":null}]
    """#

    static let userFunding = #"""
    [{"delta":{"coin":"ETH","fundingRate":"0.0000417","szi":"49.1477","type":"funding","usdc":"-3.625312"},
      "hash":"0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8","time":1681222254710}]
    """#

    static let candles = #"""
    [{"T":1681924499999,"c":"29258.0","h":"29309.0","i":"15m","l":"29250.0","n":189,"o":"29295.0","s":"BTC","t":1681923600000,"v":"0.98639"}]
    """#
}

private func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
    try JSONDecoder().decode(type, from: Data(text.utf8))
}

private let btc = Symbol("BTC")!  // A literal that is a valid symbol.
private let eth = Symbol("ETH")!

@Suite("Parsing /info answers and converting them to ArenaCore")
struct InfoParsingTests {
    @Test("the universe keeps asset indices and leaves out delisted coins, non-symbols and metadata out of range")
    func universe() throws {
        let answer = try decode(PerpMetaAndAssetContexts.self, CapturedInfo.metaAndAssetContexts)
        #expect(answer.assetContexts.count == 6)
        let universe = HyperliquidUniverse(meta: answer.meta)
        #expect(universe.symbols.map(\.name) == ["BTC", "ETH", "KPEPE"])
        #expect(universe.asset(for: eth)?.index == 1)
        let pepeSymbol = try #require(Symbol("KPEPE"))
        let pepe = try #require(universe.asset(for: pepeSymbol))
        #expect(pepe.index == 3 && pepe.coin == "kPEPE" && pepe.onlyIsolated && pepe.instrument.sizeDecimals == 0)
        #expect(universe.symbol(forCoin: "kPEPE")?.name == "KPEPE")
        #expect(universe.symbol(forCoin: "MATIC") == nil)
    }

    @Test("a quote takes mark, funding and open interest from the context, the mid from the book")
    func quote() throws {
        let answer = try decode(PerpMetaAndAssetContexts.self, CapturedInfo.metaAndAssetContexts)
        let book = try HyperliquidConversion.orderBook(try decode(L2BookSnapshot.self, CapturedInfo.l2Book))
        let quote = try HyperliquidConversion.quote(symbol: btc, context: answer.assetContexts[0], book: book, mid: nil)
        #expect(quote.mid == FixedDecimal(113_377_5, exponent: 1))
        #expect(quote.mark == FixedDecimal(113_427))
        #expect(quote.fundingRate == FixedDecimal(125, exponent: 7))
        #expect(quote.openInterest == FixedDecimal(2_865_371_314, exponent: 5))
        // Open interest beyond the decimal range is left out rather than failing the quote.
        let pepe = try HyperliquidConversion.quote(symbol: try #require(Symbol("KPEPE")), context: answer.assetContexts[3], book: nil, mid: nil)
        #expect(pepe.openInterest == nil && pepe.mid == FixedDecimal(1_025, exponent: 5))
        // Without book or feed mid, and a null midPx, the mark stands in.
        let ethQuote = try HyperliquidConversion.quote(symbol: eth, context: answer.assetContexts[1], book: nil, mid: nil)
        #expect(ethQuote.mid == FixedDecimal(3_602_2, exponent: 1))
        #expect(throws: HyperliquidClientError.self) {
            try HyperliquidConversion.quote(symbol: eth, context: nil, book: nil, mid: nil)
        }
    }

    @Test("a book has bids and asks best first; a malformed level is refused by name")
    func orderBook() throws {
        let book = try HyperliquidConversion.orderBook(try decode(L2BookSnapshot.self, CapturedInfo.l2Book))
        #expect(book.bestBid == FixedDecimal(113_377) && book.bestAsk == FixedDecimal(113_378))
        #expect(book.bids.count == 2 && book.asks[1].size == FixedDecimal(15, exponent: 1))
        let broken = L2BookSnapshot(coin: "BTC", time: 0, levels: [[L2Level(px: "abc", sz: "1", n: 1)], []])
        #expect(throws: HyperliquidClientError.malformedResponse("l2Book bids[0].px is not a decimal number within range")) {
            try HyperliquidConversion.orderBook(broken)
        }
        #expect(throws: HyperliquidClientError.self) {
            try HyperliquidConversion.orderBook(L2BookSnapshot(coin: "BTC", time: 0, levels: [[]]))
        }
    }

    @Test("the account's equity is the venue's account value and equals cash plus unrealised PnL")
    func accountState() throws {
        let universe = HyperliquidUniverse(meta: try decode(PerpMetaAndAssetContexts.self, CapturedInfo.metaAndAssetContexts).meta)
        let state = try HyperliquidConversion.accountState(try decode(ClearinghouseState.self, CapturedInfo.clearinghouseState), universe: universe)
        #expect(state.equity == FixedDecimal(13_109_482_328, exponent: 6))
        #expect(state.unrealizedPnl == FixedDecimal(-10_134, exponent: 4))
        #expect(state.cash == state.equity - state.unrealizedPnl)
        #expect(state.equity == state.cash + state.unrealizedPnl)
        #expect(state.marginUsed == FixedDecimal(4_967_826, exponent: 6))
        #expect(state.positions[eth] == Position(symbol: eth, size: FixedDecimal(335, exponent: 4), entryPrice: FixedDecimal(2_986_3, exponent: 1), leverage: 20))
        #expect(state.positions[btc]?.size == FixedDecimal(-1, exponent: 2))
        #expect(state.time == Timestamp(milliseconds: 1_708_622_398_623))
    }

    @Test("fills carry the venue's fee, realised PnL, liquidity and liquidation flag")
    func fills() throws {
        let universe = HyperliquidUniverse(meta: try decode(PerpMetaAndAssetContexts.self, CapturedInfo.metaAndAssetContexts).meta)
        let wires = try decode([UserFillWire].self, CapturedInfo.userFills)
        let id = ClientOrderID(account: AccountID(7), sequence: 10)
        let maker = try HyperliquidConversion.fill(wires[0], universe: universe, clientOrderID: id)
        #expect(maker.symbol == eth && maker.side == .buy && maker.liquidity == .maker && !maker.isLiquidation)
        #expect(maker.fee == FixedDecimal(148, exponent: 5) && maker.price == FixedDecimal(1_891_4, exponent: 1))
        let cloidText = try #require(wires[1].cloid)
        let cloid = try #require(ClientOrderID(hex: cloidText))
        let taker = try HyperliquidConversion.fill(wires[1], universe: universe, clientOrderID: cloid)
        #expect(taker.liquidity == .taker && taker.isLiquidation && taker.realizedPnl == FixedDecimal(125, exponent: 1))
        #expect(taker.fee == FixedDecimal(-64, exponent: 4))
        #expect(taker.clientOrderID == ClientOrderID(account: AccountID(7), sequence: 10))
    }

    @Test("open orders become orders: triggers with their kind, limits with their time in force, foreign orders left out")
    func openOrders() throws {
        let universe = HyperliquidUniverse(meta: try decode(PerpMetaAndAssetContexts.self, CapturedInfo.metaAndAssetContexts).meta)
        let wires = try decode([FrontendOrderWire].self, CapturedInfo.frontendOpenOrders)
        let stop = try #require(try HyperliquidConversion.order(wires[0], status: nil, universe: universe))
        #expect(stop.request.type == .trigger(triggerPrice: FixedDecimal(60_000), kind: .stopLoss, limitPrice: nil))
        #expect(stop.status == .waitingTrigger && stop.request.reduceOnly && stop.request.side == .sell && stop.venueOrderID == 2)
        let postOnly = try #require(try HyperliquidConversion.order(wires[1], status: nil, universe: universe))
        #expect(postOnly.request.type == .limit(price: FixedDecimal(2_500), timeInForce: .alo))
        #expect(postOnly.status == .open && postOnly.filledSize == FixedDecimal(5, exponent: 2))
        #expect(try HyperliquidConversion.order(wires[2], status: nil, universe: universe) == nil)
    }

    @Test("order status words map to order statuses", arguments: [
        ("open", false, OrderStatus.open), ("open", true, .waitingTrigger), ("filled", false, .filled), ("canceled", false, .canceled),
        ("marginCanceled", false, .canceled), ("reduceOnlyCanceled", false, .canceled), ("rejected", false, .rejected),
        ("iocCancelRejected", false, .rejected), ("badAloPxRejected", false, .rejected), ("triggered", true, .pending),
    ])
    func orderStatuses(word: String, isTrigger: Bool, expected: OrderStatus) {
        #expect(HyperliquidConversion.orderStatus(word, isTrigger: isTrigger) == expected)
    }

    @Test("orderStatus answers decode, known and unknown")
    func orderStatus() throws {
        let known = try decode(OrderStatusResponseWire.self, CapturedInfo.orderStatusFilled)
        #expect(known.status == "order" && known.order?.status == "filled" && known.order?.order.tif == "FrontendMarket")
        let unknown = try decode(OrderStatusResponseWire.self, #"{"status":"unknownOid"}"#)
        #expect(unknown.status == "unknownOid" && unknown.order == nil)
    }

    @Test("funding payments keep the venue's sign and derive the price")
    func funding() throws {
        let universe = HyperliquidUniverse(meta: try decode(PerpMetaAndAssetContexts.self, CapturedInfo.metaAndAssetContexts).meta)
        let payment = try HyperliquidConversion.funding(try decode([UserFundingWire].self, CapturedInfo.userFunding)[0], universe: universe)
        #expect(payment.symbol == eth && payment.amount == FixedDecimal(-3_625_312, exponent: 6))
        #expect(payment.rate == FixedDecimal(417, exponent: 7) && payment.positionSize == FixedDecimal(491_477, exponent: 4))
        // 3.625312 / (49.1477 × 0.0000417) ≈ 1768.88
        #expect(payment.price > FixedDecimal(1_768) && payment.price < FixedDecimal(1_770))
    }

    @Test("candles decode with their one-letter keys")
    func candles() throws {
        let candle = try #require(try decode([CandleWire].self, CapturedInfo.candles).first)
        #expect(candle.s == "BTC" && candle.i == "15m" && candle.n == 189 && candle.T == 1_681_924_499_999 && candle.c == "29258.0")
    }
}
