import JSONCore
import Testing
@testable import Hyperliquid

@Suite("wire values and JSON")
struct WireValueJSONTests {
    @Test("parsed JSON becomes a wire value with key order and exact integers")
    func order() throws {
        let parsed = try JSONParser.parse(#" {"z": 1, "a": [true, null, -0.5e3], "m": {"y": "x", "b": 18446744073709551615}} "#)
        #expect(try WireValue(json: parsed["m"] ?? .null) == .map([("y", .string("x")), ("b", .unsignedInteger(UInt64.max))]))
    }

    @Test("JSON numbers with a fraction or exponent, or beyond 64 bits, cannot become action values")
    func numbersToWire() {
        #expect(throws: HyperliquidError.invalidAction("action.p is a number with a fraction or exponent; decimals must be strings")) {
            try WireValue(json: JSONParser.parse(#"{"p": 1.5}"#))
        }
        #expect(throws: HyperliquidError.invalidAction("action[0] is an integer outside the 64-bit range")) {
            try WireValue(json: JSONParser.parse("[18446744073709551616]"))
        }
        #expect((try? WireValue(json: JSONParser.parse("[-9223372036854775808, -0]"))) == .array([.integer(Int64.min), .integer(0)]))
    }

    @Test("wire values write back as compact JSON with escapes")
    func writing() {
        let value = WireValue.map([("k", .string("q\"\\\n\u{01}é")), ("n", .array([.integer(-3), .unsignedInteger(UInt64.max), .null, .bool(false)]))])
        #expect(value.jsonText() == #"{"k":"q\"\\\n\u0001é","n":[-3,18446744073709551615,null,false]}"#)
    }

    @Test("a parse failure becomes invalidJSON with the parser's input-free description")
    func parseFailure() {
        #expect(throws: HyperliquidError.invalidJSON("duplicate key at byte 7")) {
            do throws(JSONParseError) { _ = try JSONParser.parse(#"{"a":1,"a":2}"#) } catch { throw HyperliquidError(error) }
        }
    }
}
