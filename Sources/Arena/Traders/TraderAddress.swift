/// A Hyperliquid trader's address as the arena stores it: `0x` and 40 lowercase hex digits.
public enum TraderAddress {
    /// Returns `text` as a stored address (lowercased), or throws saying what is wrong with it.
    /// - Throws: `ArenaError.invalidRequest` naming the problem.
    public static func parse(_ text: some StringProtocol) throws -> String {
        let shown = text.prefix(60)
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw ArenaError.invalidRequest("\(shown) is not a trader address: it must start with 0x, then 40 hex digits.")
        }
        let digits = text.dropFirst(2)
        guard digits.count == 40 else {
            throw ArenaError.invalidRequest("\(shown) is not a trader address: it has \(digits.count) hex digits after 0x instead of 40.")
        }
        guard digits.allSatisfy(\.isHexDigit) else {
            throw ArenaError.invalidRequest("\(shown) is not a trader address: only 0-9 and a-f may follow 0x.")
        }
        return "0x" + digits.lowercased()
    }

    /// Whether `text` is a stored address already (as the venue's answers should give it).
    public static func isValid(_ text: String) -> Bool {
        (try? parse(text)) != nil
    }
}
