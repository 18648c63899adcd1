/// A parsed JSON value that keeps object keys in document order and numbers as their literal text.
///
/// Foundation's `JSONSerialization` returns dictionaries, which lose the key order that the
/// msgpack hash of an action depends on, and turns numbers into doubles; this keeps both.
public enum OrderedJSON: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// The number exactly as written, for example `-12`, `0.5` or `1e3`.
    case number(String)
    /// A decoded string.
    case string(String)
    /// Elements in order.
    case array([OrderedJSON])
    /// Members in document order; keys are unique.
    case object([(key: String, value: OrderedJSON)])

    /// Compares structurally, object members in order.
    public static func == (left: OrderedJSON, right: OrderedJSON) -> Bool {
        switch (left, right) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// Returns the member under `key` when this is an object that has it.
    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The limits a parse enforces, so that hostile input cannot exhaust the stack or memory.
    public struct Limits: Sendable {
        /// The deepest nesting of arrays and objects accepted.
        public var maximumDepth: Int
        /// The longest text accepted, in bytes.
        public var maximumBytes: Int

        /// Creates limits.
        public init(maximumDepth: Int = 32, maximumBytes: Int = 1 << 20) {
            self.maximumDepth = maximumDepth
            self.maximumBytes = maximumBytes
        }
    }

    /// Parses one JSON text (RFC 8259) with nothing but whitespace around it.
    /// - Throws: `HyperliquidError.invalidJSON` naming the problem and its byte offset; the
    ///   message never quotes the input.
    public static func parse(_ text: some StringProtocol, limits: Limits = Limits()) throws(HyperliquidError) -> OrderedJSON {
        try parse(utf8: Array(text.utf8), limits: limits)
    }

    /// Parses one JSON text given as UTF-8 bytes.
    /// - Throws: `HyperliquidError.invalidJSON` naming the problem and its byte offset.
    public static func parse(utf8 bytes: [UInt8], limits: Limits = Limits()) throws(HyperliquidError) -> OrderedJSON {
        guard bytes.count <= limits.maximumBytes else {
            throw .invalidJSON("text of \(bytes.count) bytes exceeds the limit of \(limits.maximumBytes)")
        }
        var parser = OrderedJSONParser(bytes: bytes, maximumDepth: limits.maximumDepth)
        return try parser.parseDocument()
    }
}

/// A recursive-descent parser over UTF-8 bytes; depth is bounded by `maximumDepth`.
struct OrderedJSONParser {
    let bytes: [UInt8]
    let maximumDepth: Int
    var position = 0

    init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    mutating func parseDocument() throws(HyperliquidError) -> OrderedJSON {
        skipWhitespace()
        guard position < bytes.count else { throw .invalidJSON("empty text") }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected content after the value") }
        return value
    }

    private func failure(_ reason: String) -> HyperliquidError {
        .invalidJSON("\(reason) at byte \(position)")
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(HyperliquidError) -> OrderedJSON {
        guard position < bytes.count else { throw failure("unexpected end of text") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(HyperliquidError) {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            position + count <= bytes.count && bytes[position..<(position + count)].elementsEqual(expected)
        }
        guard matches else { throw failure("invalid literal") }
        position += count
    }

    private mutating func parseObject(depth: Int) throws(HyperliquidError) -> OrderedJSON {
        guard depth <= maximumDepth else { throw failure("nesting deeper than \(maximumDepth)") }
        position += 1
        var members: [(key: String, value: OrderedJSON)] = []
        var keys = Set<String>()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a key string") }
            let keyStart = position
            let key = try parseString()
            guard keys.insert(key).inserted else {
                position = keyStart
                throw failure("duplicate key")
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key, value))
            skipWhitespace()
            guard position < bytes.count else { throw failure("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            } else {
                throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(HyperliquidError) -> OrderedJSON {
        guard depth <= maximumDepth else { throw failure("nesting deeper than \(maximumDepth)") }
        position += 1
        var elements: [OrderedJSON] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw failure("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            } else {
                throw failure("expected ',' or ']'")
            }
        }
    }

    /// Parses `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns its text.
    private mutating func parseNumber() throws(HyperliquidError) -> String {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw failure("invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw failure("number with a leading zero") }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("invalid number") }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("invalid number") }
            skipDigits()
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private mutating func parseString() throws(HyperliquidError) -> String {
        position += 1
        var output = [UInt8]()
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: output, as: UTF8.self) else { throw failure("string is not valid UTF-8") }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw failure("unterminated escape") }
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
                case UInt8(ascii: "u"):
                    var scalar = try parseHexQuad()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw failure("unpaired surrogate escape")
                        }
                        position += 2
                        let low = try parseHexQuad()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw failure("unpaired surrogate escape")
                    }
                    guard let unicodeScalar = Unicode.Scalar(scalar) else { throw failure("invalid escape") }
                    output.append(contentsOf: String(Character(unicodeScalar)).utf8)
                default:
                    throw failure("invalid escape")
                }
            case 0x00..<0x20:
                throw failure("control character in string")
            default:
                output.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseHexQuad() throws(HyperliquidError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
