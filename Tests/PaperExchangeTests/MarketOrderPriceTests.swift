import ArenaCore
import ArenaTestSupport
import Foundation
import Testing

@Suite("Market order prices are rounded like the venue's SDK")
struct MarketOrderPriceTests {
    struct Row: Decodable, Sendable {
        let coin: String
        let sz_decimals: Int
        let is_buy: Bool
        let reference_px: Double
        let slippage: Double
        let result_wire: String
    }

    @Test("the SDK's slippage prices from the signing vectors are reproduced digit for digit")
    func sdkSlippageVectors() throws {
        let file = sharedFixture("hyperliquid-signing-vectors.json")
        let data = try Data(contentsOf: file)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tables = try #require(root["number_tables"] as? [String: Any])
        let rowsJSON = try JSONSerialization.data(withJSONObject: try #require(tables["sdk_slippage_price"]))
        let rows = try JSONDecoder().decode([Row].self, from: rowsJSON)
        #expect(!rows.isEmpty)
        for row in rows {
            let symbol = try #require(Symbol(row.coin))
            let instrument = Instrument(symbol: symbol, sizeDecimals: row.sz_decimals, maxLeverage: 10)
            let reference = try #require(FixedDecimal(approximating: row.reference_px))
            let slippage = try #require(FixedDecimal(approximating: row.slippage))
            let price = instrument.marketOrderPrice(reference: reference, side: row.is_buy ? .buy : .sell, slippage: slippage)
            #expect(price.description == row.result_wire, "\(row.coin) \(row.reference_px)")
        }
    }

    @Test("prices follow five significant figures even above 10,000, then the decimal limit",
          arguments: [("105234", Side.buy, "110500"), ("105234", Side.sell, "99972"), ("0.123456", Side.buy, "0.1296"),
                      ("2.5", Side.buy, "2.625")])
    func roundingTable(reference: String, side: Side, expected: String) throws {
        let instrument = Instrument(symbol: Fixtures.sol, sizeDecimals: 2, maxLeverage: 20)
        let price = instrument.marketOrderPrice(reference: Fixtures.decimal(reference), side: side, slippage: Fixtures.decimal("0.05"))
        #expect(price.description == expected)
        #expect(instrument.isValidPrice(price))
    }
}
