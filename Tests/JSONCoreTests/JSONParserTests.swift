import JSONCore
import Testing

/// Asserts that parsing `text` fails with the description `reason`.
private func expectFailure(_ text: String, limits: JSONParser.Limits = .init(), _ reason: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let error = #expect(throws: JSONParseError.self, sourceLocation: sourceLocation) { try JSONParser.parse(text, limits: limits) }
    #expect(error?.description == reason, sourceLocation: sourceLocation)
}

@Suite("JSON parsing")
struct JSONParserTests {
    @Test("object keys keep document order and numbers keep their literal text")
    func order() throws {
        let parsed = try JSONParser.parse(#" {"z": 1, "a": [true, null, -0.5e3], "m": {"y": "x", "b": 18446744073709551615}} "#)
        guard case .object(let members) = parsed else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["z", "a", "m"])
        #expect(parsed["a"] == .array([.bool(true), .null, .number("-0.5e3")]))
        #expect(parsed["m"]?["b"] == .number("18446744073709551615"))
    }

    @Test("escapes decode, including surrogate pairs")
    func escapes() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
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
        expectFailure(text, reason)
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(utf8: [0x22, 0x61, 0xFF, 0x62, 0x22]) }
        #expect(error?.description == "string is not valid UTF-8 at byte 4")
    }

    @Test("nesting beyond the depth limit and texts beyond the size limit are refused")
    func limits() throws {
        let limits = JSONParser.Limits(maximumDepth: 4, maximumBytes: 64)
        _ = try JSONParser.parse("[[[[1]]]]", limits: limits)
        expectFailure("[[[[[1]]]]]", limits: limits, "nesting deeper than 4 at byte 4")
        expectFailure("\"" + String(repeating: "a", count: 63) + "\"", limits: limits, "text of 65 bytes exceeds the limit of 64")
        // The default depth limit stops a deeply nested line before it can exhaust the stack.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: "[", count: 100_000)) }
    }

    @Test("the parser refuses what RFC 8259 refuses and keeps number text exact")
    func strictJSON() throws {
        for bad in ["{\"a\": 01}", "{\"a\": .5}", "{\"a\": 1.}", "{\"a\": +1}", "{\"a\": \"\u{01}\"}", "[1,]", "{\"a\":1}}", "\"\\ud800\""] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
        #expect(try JSONParser.parse(#"{"a": 0.10000000000000001, "b": "\u00e9\ud83d\ude00"}"#)
            == .object([("a", .number("0.10000000000000001")), ("b", .string("é😀"))]))
    }

    @Test("a number longer than its limit, NaN and Infinity are refused by name")
    func numbers() throws {
        let limits = JSONParser.Limits(maximumNumberLength: 4)
        #expect(try JSONParser.parse("[1234]", limits: limits) == .array([.number("1234")]))
        expectFailure("[12345]", limits: limits, "number longer than 4 characters at byte 6")
        expectFailure(#"{"a": NaN}"#, "NaN and Infinity are not JSON numbers at byte 6")
        expectFailure("Infinity", "NaN and Infinity are not JSON numbers at byte 0")
    }

    @Test("a repeated key is kept in the problem but not in the description")
    func duplicateKeyProblem() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"secret":1,"secret":2}"#) }
        #expect(error?.problem == .duplicateKey("secret"))
        #expect(error?.description.contains("secret") == false)
    }

    @Test("every prefix and every one-byte corruption of a document parses or throws, never traps")
    func noTrapOnAnyInput() {
        let document = Array(#"{"a": [1, -2.5e+3, true, false, null], "b\u00e9": "x\"\\\ud83d\ude00", "c": {}}"#.utf8)
        for end in 0...document.count {
            _ = try? JSONParser.parse(utf8: Array(document[..<end]))
        }
        for index in document.indices {
            for replacement: UInt8 in [0x00, 0x22, 0x5C, 0x7B, 0x5B, 0x5D, 0x7D, 0x2C, 0x3A, 0x2D, 0x30, 0x65, 0x75, 0xFF] {
                var corrupted = document
                corrupted[index] = replacement
                _ = try? JSONParser.parse(utf8: corrupted)
            }
        }
    }
}

@Suite("JSON writing")
struct JSONSerializationTests {
    @Test("serialized text keeps key order and number text, and parses back to the same value")
    func roundTrip() throws {
        let text = #"{"z":1,"a":[true,null,-0.5e3,"q\"\\\n\u0001é"],"m":{"b":18446744073709551615}}"#
        let value = try JSONParser.parse(text)
        #expect(value.serialized == text)
        #expect(try JSONParser.parse(value.serialized) == value)
    }

    @Test("quoting escapes what JSON requires and what breaks JavaScript")
    func quoting() {
        #expect(JSONValue.quote("a\"b\\c\n\r\t\u{08}\u{7F}\u{2028}é") == #""a\"b\\c\n\r\t\u0008\u007f\u2028é""#)
    }
}
