/// A coin traded as a perpetual, such as `BTC`; uppercase letters and digits, at most 20.
public struct Symbol: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let name: String

    /// Returns nil unless `name` is 1 to 20 ASCII letters or digits; letters are uppercased.
    public init?(_ name: String) {
        let upper = name.uppercased()
        guard !upper.isEmpty, upper.utf8.count <= 20,
              upper.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })
        else { return nil }
        self.name = upper
    }

    public var description: String { name }
    public static func < (a: Symbol, b: Symbol) -> Bool { a.name < b.name }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let symbol = Symbol(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a symbol: \(text.prefix(24))")
        }
        self = symbol
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// The database id of an account.
public struct AccountID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (a: AccountID, b: AccountID) -> Bool { a.rawValue < b.rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The client order id sent to the venue: 16 bytes written as `0x` and 32 lowercase hex digits,
/// derived from the account and our own order number so that a retried submission carries the
/// same id and can never be placed twice.
///
/// The 16 bytes are held as two integers rather than as text: every order, fill and event
/// carries one, and a plain value copies without reference counting on the matching path.
public struct ClientOrderID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first 8 bytes (the account id for our own ids).
    let high: UInt64
    /// The last 8 bytes (the order sequence for our own ids).
    let low: UInt64

    /// `0x` followed by the 32 lowercase hex digits of the 16 bytes.
    public var hex: String {
        let (high, low) = (self.high, self.low)
        return String(unsafeUninitializedCapacity: 34) { buffer in
            func write(_ value: UInt64, at offset: Int) {
                for index in 0..<16 {
                    let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                    buffer[offset + index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                }
            }
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "x")
            write(high, at: 2)
            write(low, at: 18)
            return 34
        }
    }

    /// Returns nil unless `hex` is `0x` followed by exactly 32 hex digits.
    public init?(hex: String) {
        let lower = hex.lowercased()
        guard lower.hasPrefix("0x"), lower.utf8.count == 34,
              lower.utf8.dropFirst(2).allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { return nil }
        let digits = lower.utf8.dropFirst(2)
        guard let high = UInt64(String(decoding: digits.prefix(16), as: UTF8.self), radix: 16),
              let low = UInt64(String(decoding: digits.suffix(16), as: UTF8.self), radix: 16)
        else { return nil }
        self.high = high
        self.low = low
    }

    /// The id of the `sequence`-th order of an account: account id in the high 8 bytes,
    /// sequence in the low 8.
    public init(account: AccountID, sequence: UInt64) {
        self.high = UInt64(bitPattern: account.rawValue)
        self.low = sequence
    }

    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = ClientOrderID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a client order id")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
