/// A strict RFC 8259 parser over UTF-8 bytes that keeps key order and number text, with limits on
/// size, nesting and number length so that hostile input cannot exhaust the stack or memory.
public struct JSONParser {
    /// The limits a parse enforces.
    public struct Limits: Sendable, Hashable {
        /// The deepest nesting of arrays and objects accepted (a top-level `[]` is depth 1).
        public var maximumDepth: Int
        /// The longest text accepted, in bytes.
        public var maximumBytes: Int
        /// The longest number text accepted, in characters.
        public var maximumNumberLength: Int

        /// Creates limits; numbers are unbounded by default because the text limit already bounds them.
        public init(maximumDepth: Int = 32, maximumBytes: Int = 1 << 20, maximumNumberLength: Int = .max) {
            self.maximumDepth = maximumDepth
            self.maximumBytes = maximumBytes
            self.maximumNumberLength = maximumNumberLength
        }
    }

    private let bytes: [UInt8]
    private let limits: Limits
    private var position = 0

    private init(bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses one JSON value with nothing but whitespace around it.
    /// - Throws: `JSONParseError` naming the first problem and its byte offset.
    public static func parse(_ text: some StringProtocol, limits: Limits = Limits()) throws(JSONParseError) -> JSONValue {
        try parse(utf8: Array(text.utf8), limits: limits)
    }

    /// Parses one JSON value given as UTF-8 bytes, with nothing but whitespace around it.
    /// - Throws: `JSONParseError` naming the first problem and its byte offset.
    public static func parse(utf8 bytes: [UInt8], limits: Limits = Limits()) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= limits.maximumBytes else {
            throw JSONParseError(.tooLong(bytes: bytes.count, limit: limits.maximumBytes), at: nil)
        }
        var parser = JSONParser(bytes: bytes, limits: limits)
        parser.skipWhitespace()
        guard parser.position < bytes.count else { throw JSONParseError(.emptyText, at: nil) }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure(.trailingContent) }
        return value
    }

    private func failure(_ problem: JSONParseError.Problem) -> JSONParseError {
        JSONParseError(problem, at: position)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// `depth` counts the containers around the value; recursion stops at `maximumDepth`.
    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw failure(.unexpectedEnd) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "N"), UInt8(ascii: "I"): throw failure(.nonFiniteNumber)
        default: throw failure(.unexpectedCharacter)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            position + count <= bytes.count && bytes[position..<(position + count)].elementsEqual(expected)
        }
        guard matches else { throw failure(.invalidLiteral) }
        position += count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= limits.maximumDepth else { throw failure(.tooDeep(limit: limits.maximumDepth)) }
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        var keys = Set<String>()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure(.expectedKey) }
            let keyStart = position
            let key = try parseString()
            guard keys.insert(key).inserted else {
                position = keyStart
                throw failure(.duplicateKey(key))
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure(.expectedColon) }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            guard position < bytes.count else { throw failure(.unterminatedObject) }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            } else {
                throw failure(.expectedCommaOrBrace)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= limits.maximumDepth else { throw failure(.tooDeep(limit: limits.maximumDepth)) }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw failure(.unterminatedArray) }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            } else {
                throw failure(.expectedCommaOrBracket)
            }
        }
    }

    /// Reads `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns its text unchanged.
    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw failure(.invalidNumber) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw failure(.leadingZero) }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure(.invalidNumber) }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure(.invalidNumber) }
            skipDigits()
        }
        guard position - start <= limits.maximumNumberLength else {
            throw failure(.numberTooLong(limit: limits.maximumNumberLength))
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        var output = [UInt8]()
        while true {
            guard position < bytes.count else { throw failure(.unterminatedString) }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: output, as: UTF8.self) else { throw failure(.invalidUTF8) }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw failure(.unterminatedEscape) }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): output.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"): output.append(contentsOf: try parseUnicodeEscape())
                default: throw failure(.invalidEscape)
                }
            case 0x00..<0x20:
                throw failure(.controlCharacter)
            default:
                output.append(byte)
                position += 1
            }
        }
    }

    /// Reads the hex digits after `\u` (and a low surrogate's escape after a high one) and returns
    /// the scalar as UTF-8.
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> String.UTF8View {
        var scalar = try parseHexQuad()
        if (0xD800..<0xDC00).contains(scalar) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw failure(.unpairedSurrogate)
            }
            position += 2
            let low = try parseHexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw failure(.unpairedSurrogate) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw failure(.unpairedSurrogate)
        }
        guard let unicodeScalar = Unicode.Scalar(scalar) else { throw failure(.invalidEscape) }
        return String(Character(unicodeScalar)).utf8
    }

    private mutating func parseHexQuad() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure(.truncatedUnicodeEscape) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure(.invalidUnicodeEscape)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
