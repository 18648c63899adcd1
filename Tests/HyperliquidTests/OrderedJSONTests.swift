import Testing
@testable import Hyperliquid

@Suite("order-preserving JSON")
struct OrderedJSONTests {
    @Test("object keys keep document order and numbers keep their literal text")
    func order() throws {
        let parsed = try OrderedJSON.parse(#" {"z": 1, "a": [true, null, -0.5e3], "m": {"y": "x", "b": 18446744073709551615}} "#)
        guard case .object(let members) = parsed else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["z", "a", "m"])
        #expect(parsed["a"] == .array([.bool(true), .null, .number("-0.5e3")]))
        #expect(parsed["m"]?["b"] == .number("18446744073709551615"))
        #expect(try WireValue(json: parsed["m"] ?? .null) == .map([("y", .string("x")), ("b", .unsignedInteger(UInt64.max))]))
    }

    @Test("escapes decode, including surrogate pairs")
    func escapes() throws {
        #expect(try OrderedJSON.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
    }

    @Test("malformed texts are refused with the problem and its byte offset", arguments: [
        ("", "empty text"), ("{", "expected a key string at byte 1"), (#"{"a" 1}"#, "expected ':' at byte 5"),
        (#"{"a":1,}"#, "expected a key string at byte 7"), ("[1 2]", "expected ',' or ']' at byte 3"),
        ("01", "number with a leading zero at byte 1"), ("1.", "invalid number at byte 2"), ("-", "invalid number at byte 1"),
        ("tru", "invalid literal at byte 0"), (#""\x""#, "invalid escape at byte 3"), (#""\ud83d""#, "unpaired surrogate escape at byte 7"),
        ("\"a\nb\"", "control character in string at byte 2"), (#"{"a":1,"a":2}"#, "duplicate key at byte 7"),
        ("[] []", "unexpected content after the value at byte 3"), ("'a'", "unexpected character at byte 0"),
        ("\"abc", "unterminated string at byte 4"),
    ])
    func malformed(text: String, reason: String) {
        #expect(throws: HyperliquidError.invalidJSON(reason)) { try OrderedJSON.parse(text) }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: HyperliquidError.invalidJSON("string is not valid UTF-8 at byte 4")) {
            try OrderedJSON.parse(utf8: [0x22, 0x61, 0xFF, 0x62, 0x22])
        }
    }

    @Test("nesting beyond the depth limit and texts beyond the size limit are refused")
    func limits() throws {
        let limits = OrderedJSON.Limits(maximumDepth: 4, maximumBytes: 64)
        _ = try OrderedJSON.parse("[[[[1]]]]", limits: limits)
        #expect(throws: HyperliquidError.invalidJSON("nesting deeper than 4 at byte 4")) {
            try OrderedJSON.parse("[[[[[1]]]]]", limits: limits)
        }
        #expect(throws: HyperliquidError.invalidJSON("text of 65 bytes exceeds the limit of 64")) {
            try OrderedJSON.parse("\"" + String(repeating: "a", count: 63) + "\"", limits: limits)
        }
        // The default depth limit stops a deeply nested line before it can exhaust the stack.
        #expect(throws: HyperliquidError.self) { try OrderedJSON.parse(String(repeating: "[", count: 100_000)) }
    }

    @Test("JSON numbers with a fraction or exponent, or beyond 64 bits, cannot become action values")
    func numbersToWire() {
        #expect(throws: HyperliquidError.invalidAction("action.p is a number with a fraction or exponent; decimals must be strings")) {
            try WireValue(json: OrderedJSON.parse(#"{"p": 1.5}"#))
        }
        #expect(throws: HyperliquidError.invalidAction("action[0] is an integer outside the 64-bit range")) {
            try WireValue(json: OrderedJSON.parse("[18446744073709551616]"))
        }
        #expect((try? WireValue(json: OrderedJSON.parse("[-9223372036854775808, -0]"))) == .array([.integer(Int64.min), .integer(0)]))
    }

    @Test("wire values write back as compact JSON with escapes")
    func writing() {
        let value = WireValue.map([("k", .string("q\"\\\n\u{01}é")), ("n", .array([.integer(-3), .unsignedInteger(UInt64.max), .null, .bool(false)]))])
        #expect(value.jsonText() == #"{"k":"q\"\\\n\u0001é","n":[-3,18446744073709551615,null,false]}"#)
    }
}
