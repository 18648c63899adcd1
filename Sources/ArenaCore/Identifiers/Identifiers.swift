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
public struct ClientOrderID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let hex: String

    /// Returns nil unless `hex` is `0x` followed by exactly 32 hex digits.
    public init?(hex: String) {
        let lower = hex.lowercased()
        guard lower.hasPrefix("0x"), lower.utf8.count == 34,
              lower.utf8.dropFirst(2).allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { return nil }
        self.hex = lower
    }

    /// The id of the `sequence`-th order of an account: account id in the high 8 bytes,
    /// sequence in the low 8.
    public init(account: AccountID, sequence: UInt64) {
        func hex16(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        self.hex = "0x" + hex16(UInt64(bitPattern: account.rawValue)) + hex16(sequence)
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
