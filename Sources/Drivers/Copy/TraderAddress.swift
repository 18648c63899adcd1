/// A Hyperliquid trader's address as the copy driver follows it: `0x` and 40 hexadecimal digits,
/// kept lower-cased so one trader has one spelling everywhere (settings, the tracker, the page).
public struct TraderAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// `0x` and 40 lowercase hexadecimal digits.
    public let text: String

    /// Returns nil unless `text` (trimmed) is `0x` or `0X` followed by exactly 40 hexadecimal
    /// digits; letters are lower-cased.
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace
        guard Self.problem(in: trimmed) == nil else { return nil }
        self.text = trimmed.lowercased()
    }

    /// Why `text` is not an address, for error messages.
    public static func problem(with text: String) -> String {
        problem(in: text.trimmingWhitespace) ?? "\"\(text.prefix(60))\" is a trader address"
    }

    /// What is wrong with `text` as an address, saying what to give instead; nil when it is one.
    private static func problem(in text: Substring) -> String? {
        let shown = "\"\(text.prefix(60))\" is not a trader address"
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
            return "\(shown): it must start with 0x, then 40 hex digits (the trader's wallet on Hyperliquid)"
        }
        let digits = text.utf8.dropFirst(2)
        guard digits.count == 40 else {
            return "\(shown): it has \(digits.count) hex digits after 0x instead of 40"
        }
        guard digits.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }) else {
            return "\(shown): only 0-9 and a-f may follow 0x"
        }
        return nil
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
