import Foundation
import JSONCore

/// Compact, key-sorted JSON for feed payloads, stored settings and API bodies.
public enum JSON {
    /// Encodes `value` as compact JSON text with sorted keys.
    /// - Throws: `EncodingError` for a value JSON cannot hold (a non-finite number); never
    ///   writes a placeholder in its stead.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        // The same bytes as JSONEncoder with [.sortedKeys, .withoutEscapingSlashes], a few times faster.
        try JSONTextEncoder(sortedKeys: true, escapesSlashes: false).encode(value)
    }

    /// Encodes a value that lists its own members (see `JSONTextEncoder.encode`), as above.
    public static func encode<T: JSONMembersWritable>(_ value: T) throws -> String {
        try JSONTextEncoder(sortedKeys: true, escapesSlashes: false).encode(value)
    }
}
