import Testing
@testable import ArenaCore

@Suite("FixedDecimal")
struct FixedDecimalTests {
    @Test("parses and prints exact decimal text", arguments: [
        ("0", "0"), ("12", "12"), ("-0.5", "-0.5"), ("3450.25", "3450.25"), ("0.00045", "0.00045"),
        ("1e-3", "0.001"), ("2.50", "2.5"), ("+7", "7"), ("0.12345678", "0.12345678"), ("1.5E2", "150"),
    ])
    func roundTrip(_ input: String, _ expected: String) throws {
        let value = try #require(FixedDecimal(input))
        #expect(value.description == expected)
    }

    @Test("refuses text that is not an exact decimal in range", arguments: [
        "", "-", ".", "abc", "1.2.3", "NaN", "inf", "1e400", "0.123456789", "99999999999", "1,5", " 1",
    ])
    func refusesBadText(_ input: String) {
        #expect(FixedDecimal(input) == nil)
    }

    @Test("accepts extra fractional zeros but not extra digits")
    func extraZeros() {
        #expect(FixedDecimal("0.1234567800")?.description == "0.12345678")
        #expect(FixedDecimal("0.123456781") == nil)
    }

    @Test("multiplication and division round half away from zero")
    func rounding() throws {
        let a = try #require(FixedDecimal("0.00000001"))
        #expect((a * FixedDecimal(raw: 50_000_000)).raw == 1)  // 0.5 ulp rounds away
        #expect((-a * FixedDecimal(raw: 50_000_000)).raw == -1)
        #expect((FixedDecimal(1) / FixedDecimal(3)).description == "0.33333333")
        #expect((FixedDecimal(2) / FixedDecimal(3)).description == "0.66666667")
        #expect((FixedDecimal(-2) / FixedDecimal(3)).description == "-0.66666667")
        let price = try #require(FixedDecimal("97123.5"))
        let size = try #require(FixedDecimal("0.00123"))
        #expect((price * size).description == "119.461905")
    }

    @Test("large products do not lose precision")
    func largeProducts() throws {
        let price = try #require(FixedDecimal("123456.78"))
        let size = try #require(FixedDecimal("1000.5"))
        #expect((price * size).description == "123518508.39")
    }

    @Test("rounds to decimals in each direction")
    func roundToDecimals() throws {
        let value = try #require(FixedDecimal("2.345"))
        #expect(value.rounded(decimals: 2).description == "2.35")
        #expect(value.rounded(decimals: 2, .down).description == "2.34")
        #expect(value.rounded(decimals: 2, .up).description == "2.35")
        #expect((-value).rounded(decimals: 2, .down).description == "-2.35")
        #expect((-value).rounded(decimals: 2, .towardZero).description == "-2.34")
    }

    @Test("counts significant figures and fractional digits")
    func figures() throws {
        #expect(try #require(FixedDecimal("2000.5")).significantFigures == 5)
        #expect(try #require(FixedDecimal("0.00012")).significantFigures == 2)
        #expect(try #require(FixedDecimal("100")).significantFigures == 1)
        #expect(try #require(FixedDecimal("2000.55")).fractionalDigits == 2)
        #expect(FixedDecimal(7).fractionalDigits == 0)
    }

    @Test("decodes JSON strings and numbers, refuses garbage")
    func decoding() throws {
        struct Box: Decodable { let value: FixedDecimal }
        let decoder = JSONDecoder()
        #expect(try decoder.decode(Box.self, from: Data(#"{"value":"1.25"}"#.utf8)).value.description == "1.25")
        #expect(try decoder.decode(Box.self, from: Data(#"{"value":0.1}"#.utf8)).value.description == "0.1")
        #expect(throws: DecodingError.self) { try decoder.decode(Box.self, from: Data(#"{"value":"abc"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Box.self, from: Data(#"{"value":1e300}"#.utf8)) }
    }
}

import Foundation
