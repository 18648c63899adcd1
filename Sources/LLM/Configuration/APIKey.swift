/// An API key held in memory: it is sent in a header and nowhere else. Printing, interpolating,
/// dumping or reflecting it shows `[redacted]`.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key itself; read only to build the request header and to scrub text.
    public let secret: String

    /// Returns nil for an empty key or one with characters that cannot go in a header.
    public init?(_ secret: String) {
        let trimmed = secret.trimmingASCIIWhitespaceForKey()
        guard !trimmed.isEmpty, trimmed.utf8.count <= 4096,
              trimmed.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { return nil }
        self.secret = trimmed
    }

    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Returns `text` with every occurrence of the key, or of a long piece of it, replaced.
    public func scrub(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        var result = text.replacing(secret, with: "[redacted]")
        // Providers echo a key's ends ("sk-abc...wxyz"); hide any 8-character piece of it.
        if secret.count >= 16 {
            let characters = Array(secret)
            for start in stride(from: 0, through: characters.count - 8, by: 1) {
                let piece = String(characters[start..<start + 8])
                if result.contains(piece) { result = result.replacing(piece, with: "[redacted]") }
            }
        }
        return result
    }
}

extension String {
    func trimmingASCIIWhitespaceForKey() -> String {
        let bytes = Array(utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
