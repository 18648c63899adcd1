import Foundation
import Hyperliquid
import Testing

/// The answers the trader tracker reads, in the venue's shapes.
@Suite("trader info answers")
struct TraderInfoParsingTests {
    @Test("recentTrades: each trade with its buyer and seller")
    func recentTrades() throws {
        let json = """
            [{"coin":"BTC","side":"A","px":"97021.0","sz":"0.00108","time":1734300000000,
              "hash":"0x1f2e000000000000000000000000000000000000000000000000000000000000","tid":719254563046851,
              "users":["0x010461c14e146ac35fe42271bdc1134ee31c703a","0x31ca8395cf837de08b24da3f660e77761dfb974b"]}]
            """
        let trades = try JSONDecoder().decode([RecentTradeWire].self, from: Data(json.utf8))
        #expect(trades.first?.users.count == 2 && trades.first?.tid == 719_254_563_046_851)
    }

    @Test("userFillsByTime: fills with their starting position, direction and realised PnL")
    func fillsByTime() throws {
        let json = """
            [{"coin":"ETH","px":"3350.5","sz":"0.5","side":"B","time":1734300001000,"startPosition":"-0.5","dir":"Close Short",
              "closedPnl":"12.25","hash":"0x00","oid":55873,"crossed":true,"fee":"0.75","tid":99,"feeToken":"USDC"}]
            """
        let fills = try JSONDecoder().decode([UserFillWire].self, from: Data(json.utf8))
        #expect(fills.first?.startPosition == "-0.5" && fills.first?.closedPnl == "12.25")
    }

    @Test("a trade without users does not decode")
    func tradeWithoutUsers() {
        let json = #"[{"coin":"BTC","side":"A","px":"1","sz":"1","time":1}]"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([RecentTradeWire].self, from: Data(json.utf8)) }
    }
}
