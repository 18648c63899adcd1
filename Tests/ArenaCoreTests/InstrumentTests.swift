import Foundation
import Testing
@testable import ArenaCore

@Suite("Instruments and venue rules")
struct InstrumentTests {
    let eth = Instrument(symbol: Symbol("ETH")!, sizeDecimals: 4, maxLeverage: 25)

    @Test("prices follow Hyperliquid's tick rule", arguments: [
        ("2000.5", 4, true), ("2000.55", 4, false), ("0.5", 2, true), ("99999", 0, true), ("100000", 0, true),
        ("1.23456", 0, false), ("0.001234", 0, true), ("0.00123456", 0, false), ("97123", 5, true), ("97123.5", 5, false),
    ])
    func tickRule(_ price: String, _ sizeDecimals: Int, _ valid: Bool) throws {
        let instrument = Instrument(symbol: Symbol("X")!, sizeDecimals: sizeDecimals, maxLeverage: 10)
        #expect(instrument.isValidPrice(try #require(FixedDecimal(price))) == valid)
    }

    @Test("rounding a price lands on a valid price")
    func roundPrice() throws {
        #expect(eth.roundPrice(try #require(FixedDecimal("2000.55"))).description == "2000.6")
        #expect(eth.roundPrice(try #require(FixedDecimal("2099.999")), .down).description == "2099.9")
        #expect(eth.roundPrice(try #require(FixedDecimal("123456.7"))).description == "123457")
        let sol = Instrument(symbol: Symbol("SOL")!, sizeDecimals: 2, maxLeverage: 20)
        #expect(sol.roundPrice(try #require(FixedDecimal("142.975")), .down).description == "142.97")
    }

    @Test("sizes truncate to the size decimals")
    func roundSize() throws {
        #expect(eth.roundSize(try #require(FixedDecimal("1.23456"))).description == "1.2345")
        #expect(eth.isValidSize(try #require(FixedDecimal("1.2345"))))
        #expect(!eth.isValidSize(try #require(FixedDecimal("1.23456"))))
        #expect(!eth.isValidSize(.zero))
    }
}

@Suite("Positions")
struct PositionTests {
    let btc = Symbol("BTC")!

    @Test("adding moves the average entry; reducing realises PnL at the entry")
    func addAndReduce() throws {
        var position = Position(symbol: btc)
        #expect(position.apply(side: .buy, size: FixedDecimal(1), price: FixedDecimal(100)) == .zero)
        #expect(position.apply(side: .buy, size: FixedDecimal(1), price: FixedDecimal(200)) == .zero)
        #expect(position.entryPrice == FixedDecimal(150))
        #expect(position.apply(side: .sell, size: FixedDecimal(1), price: FixedDecimal(170)) == FixedDecimal(20))
        #expect(position.size == FixedDecimal(1))
        #expect(position.entryPrice == FixedDecimal(150))
    }

    @Test("crossing through zero realises the old size and opens the rest at the fill price")
    func flip() {
        var position = Position(symbol: btc, size: FixedDecimal(2), entryPrice: FixedDecimal(100))
        let realized = position.apply(side: .sell, size: FixedDecimal(3), price: FixedDecimal(90))
        #expect(realized == FixedDecimal(-20))
        #expect(position.size == FixedDecimal(-1))
        #expect(position.entryPrice == FixedDecimal(90))
        #expect(position.unrealizedPnl(at: FixedDecimal(80)) == FixedDecimal(10))
    }

    @Test("a short gains when the price falls")
    func short() {
        var position = Position(symbol: btc)
        position.apply(side: .sell, size: FixedDecimal(2), price: FixedDecimal(50))
        #expect(position.apply(side: .buy, size: FixedDecimal(2), price: FixedDecimal(40)) == FixedDecimal(20))
        #expect(position.isFlat)
        #expect(position.entryPrice == .zero)
    }
}

@Suite("Time")
struct TimestampTests {
    @Test("parses ISO 8601 forms", arguments: [
        ("2024-01-01T00:00:00Z", Int64(1_704_067_200_000)), ("2024-01-01", Int64(1_704_067_200_000)),
        ("2024-01-01 00:01", Int64(1_704_067_260_000)), ("2024-01-01T00:00:00.250Z", Int64(1_704_067_200_250)),
        ("2024-01-01T02:00:00+02:00", Int64(1_704_067_200_000)), ("1970-01-01T00:00:00Z", Int64(0)),
    ])
    func parse(_ text: String, _ milliseconds: Int64) {
        #expect(ISO8601.parse(text)?.milliseconds == milliseconds)
    }

    @Test("refuses malformed dates", arguments: ["2024-13-01", "2024-01-01T25:00", "yesterday", "2024-01-01Tx", "2024/01/01"])
    func refuse(_ text: String) {
        #expect(ISO8601.parse(text) == nil)
    }

    @Test("formats back to ISO 8601")
    func format() {
        #expect(ISO8601.format(Timestamp(milliseconds: 1_704_067_200_250)) == "2024-01-01T00:00:00.250Z")
        #expect(ISO8601.format(Timestamp(milliseconds: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ISO8601.format(Timestamp(milliseconds: -1)) == "1969-12-31T23:59:59.999Z")
        #expect(ISO8601.format(Timestamp(milliseconds: 253_402_300_799_999)) == "9999-12-31T23:59:59.999Z")
        #expect(ISO8601.format(Timestamp(milliseconds: 253_402_300_800_000)) == "10000-01-01T00:00:00.000Z")
    }

    @Test("formats every millisecond of time as a calendar does, and parses it back")
    func formatMatchesACalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // From 1900 to 2200.
            let milliseconds = Int64(state % 9_467_280_000_000) - 2_208_988_800_000
            let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                                from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let milli = milliseconds - seconds * 1000
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                                  parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, Int(milli))
            let text = ISO8601.format(Timestamp(milliseconds: milliseconds))
            #expect(text == expected)
            #expect(ISO8601.parse(text) == Timestamp(milliseconds: milliseconds))
        }
    }

    @Test("client order ids carry the account and sequence as 16 bytes of hex")
    func clientOrderID() {
        let id = ClientOrderID(account: AccountID(7), sequence: 42)
        #expect(id.hex == "0x0000000000000007000000000000002a")
        #expect(ClientOrderID(hex: id.hex) == id)
        #expect(ClientOrderID(hex: "0x123") == nil)
    }
}
