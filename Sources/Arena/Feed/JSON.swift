import Foundation

/// Compact, key-sorted JSON for feed payloads, stored settings and API bodies.
public enum JSON {
    /// Encodes `value` as compact JSON text with sorted keys.
    /// - Throws: `EncodingError` for a value JSON cannot hold (a non-finite number); never
    ///   writes a placeholder in its stead.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
