import Foundation
import JSONCore
import Testing

// Differential tests: every value is encoded by Foundation's `JSONEncoder` and by `JSONTextEncoder`
// with the same options, and the bytes must be equal (or both must throw).

private let optionSets: [(sorted: Bool, escapes: Bool)] = [(true, true), (true, false), (false, true), (false, false)]

private func foundationEncoder(sorted: Bool, escapes: Bool) -> JSONEncoder {
    let encoder = JSONEncoder()
    var formatting: JSONEncoder.OutputFormatting = []
    if sorted { formatting.insert(.sortedKeys) }
    if !escapes { formatting.insert(.withoutEscapingSlashes) }
    encoder.outputFormatting = formatting
    return encoder
}

/// Foundation's unsorted key order is its dictionary's (random per process), so without
/// `sortedKeys` texts are compared after sorting each object's members; with it, byte for byte.
private func canonical(_ text: String) throws -> String {
    func sortMembers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(sortMembers))
        case .object(let members):
            return .object(members.map { (key: $0.key, value: sortMembers($0.value)) }
                .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) })
        default: return value
        }
    }
    return sortMembers(try JSONParser.parse(text, limits: .init(maximumDepth: 1_000))).serialized
}

/// Encodes `value` both ways with every option set; records a mismatch with the value's description.
private func expectSame<T: Encodable>(_ value: T, _ label: @autoclosure () -> String = "",
                                      sourceLocation: SourceLocation = #_sourceLocation) throws {
    for options in optionSets {
        let theirs = Result { try foundationEncoder(sorted: options.sorted, escapes: options.escapes).encode(value) }
        let ours = Result { try JSONTextEncoder(sortedKeys: options.sorted, escapesSlashes: options.escapes).encodeData(value) }
        switch (theirs, ours) {
        case (.success(let expected), .success(let actual)):
            if options.sorted {
                #expect(actual == expected, "\(label()) sorted=\(options.sorted) escapes=\(options.escapes)\nFoundation: \(String(decoding: expected, as: UTF8.self))\nours:       \(String(decoding: actual, as: UTF8.self))", sourceLocation: sourceLocation)
            } else {
                let expectedText = String(decoding: expected, as: UTF8.self)
                let actualText = String(decoding: actual, as: UTF8.self)
                #expect(actual.count == expected.count, "\(label()) length \(actualText) vs \(expectedText)", sourceLocation: sourceLocation)
                if expectedText.hasPrefix("{") || expectedText.hasPrefix("[") {
                    #expect(try canonical(actualText) == canonical(expectedText), "\(label()) escapes=\(options.escapes)", sourceLocation: sourceLocation)
                } else {
                    #expect(actual == expected, "\(label())", sourceLocation: sourceLocation)
                }
            }
        case (.failure(let expected), .failure(let actual)):
            guard case EncodingError.invalidValue(_, let expectedContext) = expected,
                  case EncodingError.invalidValue(_, let actualContext) = actual else {
                Issue.record("\(label()): different errors \(expected) / \(actual)", sourceLocation: sourceLocation)
                continue
            }
            #expect(actualContext.codingPath.map(\.stringValue) == expectedContext.codingPath.map(\.stringValue),
                    "\(label())", sourceLocation: sourceLocation)
            #expect(actualContext.debugDescription == expectedContext.debugDescription, "\(label())", sourceLocation: sourceLocation)
        case (.success(let expected), .failure(let error)):
            Issue.record("\(label()): Foundation wrote \(String(decoding: expected, as: UTF8.self)), ours threw \(error)", sourceLocation: sourceLocation)
        case (.failure(let error), .success(let actual)):
            Issue.record("\(label()): Foundation threw \(error), ours wrote \(String(decoding: actual, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }
}

// MARK: - Sample values

private struct Key: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(_ string: String) { stringValue = string; intValue = nil }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
}

/// A value of any shape, encoded through every kind of container call.
private indirect enum Sample: Encodable {
    case null
    case bool(Bool)
    case int(Int), int8(Int8), int16(Int16), int32(Int32), int64(Int64)
    case uint(UInt), uint8(UInt8), uint16(UInt16), uint32(UInt32), uint64(UInt64)
    case double(Double), float(Float)
    case string(String)
    /// Elements through the unkeyed container's typed calls.
    case array([Sample])
    /// Members through the keyed container's typed calls; nil values are `encodeIfPresent(nil)`.
    case object([(String, Sample?)])
    /// Swift's own dictionary encoding.
    case dictionary([String: Sample])
    case intDictionary([Int: Sample])
    /// Members written through a nested keyed container of an outer one, under `key`.
    case nestedObject(key: String, [(String, Sample?)])
    /// Elements written through a nested unkeyed container of an array.
    case nestedArray([Sample])
    /// A superclass-style member written through `superEncoder()`.
    case superMember(Sample, [(String, Sample?)])
    /// A value encoding nothing at all (`{}` when nested).
    case nothing
    case optional(Sample?)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case .bool(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .int(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .int8(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .int16(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .int32(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .int64(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .uint(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .uint8(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .uint16(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .uint32(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .uint64(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .double(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .float(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .string(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try Sample.append(item, to: &c) }
        case .object(let members):
            var c = encoder.container(keyedBy: Key.self)
            for (key, value) in members { try Sample.put(value, key, in: &c) }
        case .dictionary(let d): try d.encode(to: encoder)
        case .intDictionary(let d): try d.encode(to: encoder)
        case .nestedObject(let key, let members):
            var outer = encoder.container(keyedBy: Key.self)
            var inner = outer.nestedContainer(keyedBy: Key.self, forKey: Key(key))
            for (key, value) in members { try Sample.put(value, key, in: &inner) }
        case .nestedArray(let items):
            var outer = encoder.unkeyedContainer()
            var inner = outer.nestedUnkeyedContainer()
            for item in items { try Sample.append(item, to: &inner) }
            try outer.encode(items.count)
        case .superMember(let base, let members):
            var c = encoder.container(keyedBy: Key.self)
            for (key, value) in members { try Sample.put(value, key, in: &c) }
            try base.encode(to: c.superEncoder())
        case .nothing: break
        case .optional(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        }
    }

    static func put(_ value: Sample?, _ name: String, in c: inout KeyedEncodingContainer<Key>) throws {
        let key = Key(name)
        guard let value else {
            try c.encodeIfPresent(Int?.none, forKey: key)
            return
        }
        switch value {
        case .null: try c.encodeNil(forKey: key)
        case .bool(let v): try c.encode(v, forKey: key)
        case .int(let v): try c.encode(v, forKey: key)
        case .int8(let v): try c.encode(v, forKey: key)
        case .int16(let v): try c.encode(v, forKey: key)
        case .int32(let v): try c.encode(v, forKey: key)
        case .int64(let v): try c.encode(v, forKey: key)
        case .uint(let v): try c.encode(v, forKey: key)
        case .uint8(let v): try c.encode(v, forKey: key)
        case .uint16(let v): try c.encode(v, forKey: key)
        case .uint32(let v): try c.encode(v, forKey: key)
        case .uint64(let v): try c.encode(v, forKey: key)
        case .double(let v): try c.encode(v, forKey: key)
        case .float(let v): try c.encode(v, forKey: key)
        case .string(let v): try c.encode(v, forKey: key)
        case .nestedArray(let items):
            var inner = c.nestedUnkeyedContainer(forKey: key)
            for item in items { try append(item, to: &inner) }
        case .superMember(let base, _):
            try base.encode(to: c.superEncoder(forKey: key))
        case .optional(let v): try c.encodeIfPresent(v, forKey: key)
        default: try c.encode(value, forKey: key)
        }
    }

    static func append(_ value: Sample, to c: inout any UnkeyedEncodingContainer) throws {
        switch value {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .int8(let v): try c.encode(v)
        case .int16(let v): try c.encode(v)
        case .int32(let v): try c.encode(v)
        case .int64(let v): try c.encode(v)
        case .uint(let v): try c.encode(v)
        case .uint8(let v): try c.encode(v)
        case .uint16(let v): try c.encode(v)
        case .uint32(let v): try c.encode(v)
        case .uint64(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .float(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .nestedObject(_, let members):
            var inner = c.nestedContainer(keyedBy: Key.self)
            for (key, value) in members { try put(value, key, in: &inner) }
        case .superMember(let base, _):
            try base.encode(to: c.superEncoder())
            try c.encode("after super")
        default: try c.encode(value)
        }
    }
}

/// SplitMix64: the same values on every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let specialScalars: [Unicode.Scalar] = [
    "\"", "\\", "/", "\u{7F}", "\u{80}", "\u{A0}", "é", "É", "ß", "€", "\u{2028}", "\u{2029}", "\u{FEFF}",
    "\u{FFFD}", "😀", "𝄞", "中", "\u{0301}", "\u{85}", " ", "<", ">", "&", "'",
]

private struct SampleMaker {
    var random: SeededGenerator

    mutating func string(maxLength: Int = 12) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: text.append(Unicode.Scalar(UInt8.random(in: 0...0x1F, using: &random)))
            case 1...3: text.append(specialScalars[Int.random(in: 0..<specialScalars.count, using: &random)])
            default: text.append(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &random)))
            }
        }
        return String(text)
    }

    mutating func key() -> String {
        let pool = ["a", "A", "b", "B", "z", "Z", "_", "-", "0", "1", "9", "10", "é", "e", "ü", "日", "😀", " ", "aa", "a1", "a_b", "id", "ID", "Id", "/"]
        var name = ""
        for _ in 0..<Int.random(in: 0...3, using: &random) { name += pool[Int.random(in: 0..<pool.count, using: &random)] }
        return name
    }

    mutating func double() -> Double {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return Double(Int.random(in: -1_000_000...1_000_000, using: &random)) / 100
        case 1: return Double(Int64.random(in: Int64.min...Int64.max, using: &random))
        case 2: return Double.random(in: -1...1, using: &random) * pow(10, Double(Int.random(in: -30...30, using: &random)))
        default:
            while true {
                let candidate = Double(bitPattern: random.next())
                if candidate.isFinite { return candidate }
            }
        }
    }

    mutating func float() -> Float {
        while true {
            let candidate = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
            if candidate.isFinite { return candidate }
        }
    }

    mutating func scalar() -> Sample {
        switch Int.random(in: 0..<16, using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int(Int(bitPattern: UInt(random.next())) >> Int.random(in: 0...63, using: &random))
        case 3: return .int8(Int8(truncatingIfNeeded: random.next()))
        case 4: return .int16(Int16(truncatingIfNeeded: random.next()))
        case 5: return .int32(Int32(truncatingIfNeeded: random.next()))
        case 6: return .int64(Int64(bitPattern: random.next()))
        case 7: return .uint(UInt(random.next()) >> UInt.random(in: 0...63, using: &random))
        case 8: return .uint8(UInt8(truncatingIfNeeded: random.next()))
        case 9: return .uint16(UInt16(truncatingIfNeeded: random.next()))
        case 10: return .uint32(UInt32(truncatingIfNeeded: random.next()))
        case 11: return .uint64(random.next())
        case 12, 13: return .double(double())
        case 14: return .float(float())
        default: return .string(string())
        }
    }

    mutating func members(depth: Int) -> [(String, Sample?)] {
        var seen = Set<String>()
        var members: [(String, Sample?)] = []
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let name = key()
            guard seen.insert(name).inserted else { continue }
            members.append((name, Int.random(in: 0..<8, using: &random) == 0 ? nil : value(depth: depth + 1)))
        }
        // A key encoded twice with scalars: the last value wins.
        if let first = members.first, Int.random(in: 0..<6, using: &random) == 0 {
            members.append((first.0, scalar()))
            if case .nestedArray? = first.1 { members.removeLast() }
            if case .superMember? = first.1 { members.removeLast() }
        }
        return members
    }

    mutating func value(depth: Int) -> Sample {
        if depth > 3 { return scalar() }
        switch Int.random(in: 0..<20, using: &random) {
        case 0...7: return scalar()
        case 8, 9: return .array((0..<Int.random(in: 0...5, using: &random)).map { _ in value(depth: depth + 1) })
        case 10, 11: return .object(members(depth: depth))
        case 12:
            var dictionary: [String: Sample] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &random) { dictionary[key()] = value(depth: depth + 1) }
            return .dictionary(dictionary)
        case 13:
            var dictionary: [Int: Sample] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &random) { dictionary[Int.random(in: -20...200, using: &random)] = scalar() }
            return .intDictionary(dictionary)
        case 14: return .nestedObject(key: key(), members(depth: depth))
        case 15: return .nestedArray((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth + 1) })
        case 16: return .superMember(value(depth: depth + 1), members(depth: depth))
        case 17: return .nothing
        case 18: return .optional(Bool.random(using: &random) ? nil : value(depth: depth + 1))
        default: return .string(string(maxLength: 40))
        }
    }
}

// MARK: - Types like ours

private enum Side: String, Codable { case long, short }
private enum Level: Int, Codable { case low = 1, high = 2 }
private enum Coin: String, Codable, CodingKeyRepresentable { case btc = "BTC", eth = "ETH" }

private struct Record: Codable {
    var id: Int
    var name: String
    var side: Side
    var level: Level
    var price: Double
    var note: String?
    var tags: [String]
    var limits: [String: Double]
    var nested: [Record]?
}

private class Base: Encodable {
    var baseValue = 1
    var baseName = "base/name"
}

private final class Derived: Base {
    var extra = 2.5
    enum CodingKeys: String, CodingKey { case extra }
    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(extra, forKey: .extra)
        try super.encode(to: container.superEncoder())
    }
}

private struct Empty: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

private struct TwiceNested: Encodable {
    enum Keys: String, CodingKey { case inner, a, b }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        var first = c.nestedContainer(keyedBy: Keys.self, forKey: .inner)
        try first.encode(1, forKey: .a)
        var second = c.nestedContainer(keyedBy: Keys.self, forKey: .inner)
        try second.encode(2, forKey: .b)
        var again = encoder.container(keyedBy: Keys.self)
        try again.encode("z", forKey: .b)
    }
}

private struct Deep: Encodable {
    let depth: Int
    func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        if depth > 0 { try c.encode(Deep(depth: depth - 1)) }
    }
}

@Suite("JSONTextEncoder against Foundation's JSONEncoder")
struct JSONTextEncoderTests {
    @Test("floating-point numbers: integral, exponents, negative zero, extremes")
    func doubles() throws {
        var values: [Double] = [
            0, -0.0, 1, -1, 0.1, 0.2, 0.30000000000000004, 1.5, 100, 1e15, 1e16, 1e17, 123456789012345678, 9007199254740992,
            9007199254740993, 1e21, 1e22, 1e23, 1e-4, 1e-5, 0.00012345, 1.2345e-7, 5e-324, 2.2250738585072014e-308,
            Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, Double.leastNormalMagnitude, Double.ulpOfOne,
            .pi, 1.0 / 3, 2.0 / 3, 9.999999999999999e22, 4.35, 0.000001, 1234567.0, 12345678.9, -273.15, 1e300, 1e-300,
        ]
        for exponent in -330...310 { values.append(pow(10, Double(exponent))); values.append(1.5 * pow(10, Double(exponent))) }
        for power in 0...64 { values.append(Double(sign: .plus, exponent: power, significand: 1)) }
        for value in values {
            try expectSame(value, "\(value)")
            try expectSame(-value, "\(-value)")
            try expectSame(Float(value), "Float \(value)")
            try expectSame([value], "[\(value)]")
            try expectSame(["v": value], "{v: \(value)}")
        }
        try expectSame(Float16(1.5), "Float16")
        try expectSame([Float(0.1), -0.0, 3.4028235e38, 1e-45], "floats")
    }

    @Test("non-finite numbers throw EncodingError.invalidValue, with Foundation's path and message")
    func nonFinite() throws {
        for value in [Double.nan, .infinity, -.infinity, .signalingNaN] {
            try expectSame(value, "top \(value)")
            try expectSame([1, value], "array \(value)")
            try expectSame(["a": ["b": value]], "object \(value)")
            try expectSame(Sample.object([("x", .array([.double(1), .double(value)]))]), "typed \(value)")
            try expectSame(Float(value), "Float \(value)")
            try expectSame(Sample.nestedObject(key: "n", [("f", .float(Float(value)))]), "nested Float \(value)")
        }
        #expect(throws: EncodingError.self) { try JSONTextEncoder(sortedKeys: true).encode(["a": Double.nan]) }
    }

    @Test("integers of every width at their limits")
    func integers() throws {
        try expectSame([Int.min, Int.max, 0, -1, 1, 9, 10, 99, 100, -9, -10])
        try expectSame([Int8.min, Int8.max]); try expectSame([Int16.min, Int16.max])
        try expectSame([Int32.min, Int32.max]); try expectSame([Int64.min, Int64.max])
        try expectSame([UInt.min, UInt.max]); try expectSame([UInt8.max]); try expectSame([UInt16.max])
        try expectSame([UInt32.max]); try expectSame([UInt64.max, 10_000_000_000_000_000_000])
        try expectSame([Int128.min, Int128.max, 0]); try expectSame([UInt128.max])
        try expectSame(Sample.object([("a", .int(Int.min)), ("b", .uint64(.max)), ("c", .int8(-128))]))
        var random = SeededGenerator(state: 7)
        for _ in 0..<2000 {
            let bits = random.next()
            try expectSame(Int64(bitPattern: bits) >> (bits % 64))
        }
    }

    @Test("string escapes: control characters, quotes, slashes, non-ASCII, U+2028/2029")
    func strings() throws {
        var all = ""
        for code in 0..<0x80 { all.unicodeScalars.append(Unicode.Scalar(UInt8(code))) }
        try expectSame(all)
        for code in 0..<0x80 { try expectSame(String(Unicode.Scalar(UInt8(code))), "scalar \(code)") }
        for text in ["", "/", "</script>", "a/b//c", "\"quoted\"", "back\\slash", "é", "😀", "\u{2028}\u{2029}", "\u{FEFF}",
                     "e\u{301}", "日本語", "\u{7F}\u{80}\u{9F}", "http://example.com/a?b=c&d=e", "\u{0}\u{1F}\u{20}"] {
            try expectSame(text, text)
            try expectSame([text: text], text)
        }
    }

    @Test("sorted keys: case, digits, non-ASCII, prefixes")
    func keyOrder() throws {
        let keys = ["b", "a", "B", "A", "10", "9", "1", "é", "e", "f", "z", "Z", "_", "aa", "a ", "", "a1", "a10", "a2", "ü", "日",
                    "😀", "\u{FFFD}", "-", "Id", "ID", "id", "i", "\u{7F}", "\t", "é"]
        let dictionary = Dictionary(keys.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { $1 })
        try expectSame(dictionary)
        try expectSame(Sample.object(keys.map { ($0, .string($0)) }))
        try expectSame([1: "one", 10: "ten", 9: "nine", -1: "minus", 100: "hundred"])
        try expectSame([Coin.eth: 1, Coin.btc: 2])
        try expectSame([Side.long: 1, Side.short: 2]) // not CodingKeyRepresentable: an array of pairs
    }

    @Test("structs, optionals, enums, classes, nested and super encoders, special types")
    func shapes() throws {
        let record = Record(id: 7, name: "BTC/USD", side: .short, level: .high, price: 101_234.5, note: nil, tags: ["a", "b/c"],
                            limits: ["max": 1e-7, "min": -0.0], nested: [Record(id: 1, name: "", side: .long, level: .low, price: 1,
                                                                                 note: "n", tags: [], limits: [:], nested: nil)])
        try expectSame(record)
        try expectSame([record, record])
        try expectSame(Optional<Int>.none)
        try expectSame([Int?.none, 1])
        try expectSame(["a": Int?.none])
        try expectSame(Derived())
        try expectSame([Derived()])
        try expectSame(Empty())
        try expectSame([Empty()])
        try expectSame(["e": Empty()])
        try expectSame(TwiceNested())
        try expectSame([String]()); try expectSame([String: Int]())
        try expectSame(Side.long); try expectSame(Level.high); try expectSame(true)
        try expectSame(Data([0, 1, 2, 255, 254])); try expectSame(["d": Data("hello/world?".utf8)])
        try expectSame(try #require(URL(string: "https://example.com/a/b?c=d"))); try expectSame(["u": try #require(URL(string: "file:///tmp/x"))])
        try expectSame(try #require(Decimal(string: "123.4500"))); try expectSame([try #require(Decimal(string: "-0.000001")), Decimal(12)])
        try expectSame(Date(timeIntervalSinceReferenceDate: 1234.5)); try expectSame(["t": Date(timeIntervalSinceReferenceDate: 0)])
        try expectSame(Data?.some(Data([9]))); try expectSame([Data?.none])
        try expectSame(Deep(depth: 509), "depth 509")
        try expectSame(Deep(depth: 510), "depth 510")
        try expectSame(Deep(depth: 511), "depth 511")
        try expectSame(Deep(depth: 600), "depth 600")
    }

    @Test("a value that encodes nothing at the top throws, as Foundation's does")
    func topLevelNothing() throws {
        #expect(throws: EncodingError.self) { try JSONTextEncoder().encode(Empty()) }
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(Empty()) }
    }

    @Test("thousands of seeded random nested values, every option set")
    func randomValues() throws {
        var maker = SampleMaker(random: SeededGenerator(state: 0x5EED_2026))
        for index in 0..<4000 {
            let sample = maker.value(depth: 0)
            try expectSame(sample, "sample \(index)")
        }
    }
}
