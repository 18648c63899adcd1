/// A Hyperliquid trader's address as the copy driver follows it: `0x` and 40 hexadecimal digits,
/// kept lower-cased so one trader has one spelling everywhere (settings, the tracker, the page).
public struct TraderAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// `0x` and 40 lowercase hexadecimal digits.
    public let text: String

    /// Returns nil unless `text` (trimmed) is `0x` or `0X` followed by exactly 40 hexadecimal
    /// digits; letters are lower-cased.
    public init?(_ text: String) {
        let lowered = text.trimmingWhitespace.lowercased()
        let bytes = Array(lowered.utf8)
        guard bytes.count == 42, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x"),
              bytes.dropFirst(2).allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        self.text = lowered
    }

    /// Why `text` is not an address, for error messages.
    public static func problem(with text: String) -> String {
        "\"\(text.prefix(60))\" is not a trader address: give 0x followed by 40 hexadecimal digits (the trader's wallet on Hyperliquid)"
    }

    public var description: String { text }

    public static func < (a: TraderAddress, b: TraderAddress) -> Bool { a.text < b.text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = TraderAddress(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.problem(with: text))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

private extension String {
    /// The text without leading or trailing spaces, tabs and line breaks (no Foundation here).
    var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
