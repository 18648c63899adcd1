import Foundation
import Synchronization

/// A field in a JSON body that no type of the body reads: a typo or a setting this server
/// does not have, refused rather than silently dropped.
public struct UnknownFieldError: Error, Sendable, CustomStringConvertible {
    /// The field's dotted path from the body's root, as `driver.api_key` or `accounts[0].name`.
    public let path: String

    public var description: String { "unknown field \(path)" }
}

extension JSON {
    /// Decodes `T` from JSON, refusing any object key that the decoding types never accept.
    ///
    /// Generic over every `Decodable`: the decoder is wrapped so that each keyed container a
    /// type opens records the keys present and the keys its `CodingKey` type accepts; after the
    /// decode, a present key that no container at its path accepts is an unknown field. Types
    /// keep their own `Decodable` code and never list their fields here.
    /// - Throws: `UnknownFieldError` for the first unknown field (in path order), or the
    ///   `DecodingError` of the ordinary decode.
    public static func decodeStrictly<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let log = KeyLog()
        let decoder = JSONDecoder()
        decoder.userInfo[KeyLog.userInfoKey] = log
        let value = try decoder.decode(Strict<T>.self, from: data).value
        if let path = log.firstUnknownPath() { throw UnknownFieldError(path: path) }
        return value
    }
}

/// Which keys each object held and which its readers accept, by coding path.
private final class KeyLog: Sendable {
    static let userInfoKey = CodingUserInfoKey(rawValue: "arena.strict.keyLog")!

    private struct Entry { var present: [String] = []; var accepted = Set<String>() }
    private let entries = Mutex<[String: Entry]>([:])

    func record(path: [any CodingKey], present: [String], accepts: (String) -> Bool) {
        let accepted = present.filter(accepts)
        entries.withLock { entries in
            entries[Self.describe(path), default: Entry()].present = present
            entries[Self.describe(path), default: Entry()].accepted.formUnion(accepted)
        }
    }

    func firstUnknownPath() -> String? {
        entries.withLock { entries in
            entries.flatMap { path, entry in
                entry.present.filter { !entry.accepted.contains($0) }.map { path.isEmpty ? $0 : "\(path).\($0)" }
            }.min()
        }
    }

    static func describe(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == "\(index)" {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}

/// Any object key, to list every key an object holds.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
}

/// Decodes `T` through a recording decoder; JSONDecoder's own types (dates, data) pass through.
private struct Strict<T: Decodable>: Decodable {
    let value: T

    init(from decoder: any Decoder) throws {
        guard let log = decoder.userInfo[KeyLog.userInfoKey] as? KeyLog else {
            value = try T(from: decoder)
            return
        }
        if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            value = try decoder.singleValueContainer().decode(T.self)
        } else {
            value = try T(from: RecordingDecoder(base: decoder, log: log))
        }
    }
}

private struct RecordingDecoder: Decoder {
    let base: any Decoder
    let log: KeyLog

    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let container = try base.container(keyedBy: Key.self)
        if let all = try? base.container(keyedBy: AnyKey.self) {
            log.record(path: codingPath, present: all.allKeys.map(\.stringValue)) { Key(stringValue: $0) != nil }
        }
        return KeyedDecodingContainer(RecordingKeyedContainer(base: container, log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(base: try base.unkeyedContainer(), log: log)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordingSingleValueContainer(base: try base.singleValueContainer(), log: log)
    }
}

private struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let base: KeyedDecodingContainer<Key>
    let log: KeyLog

    var codingPath: [any CodingKey] { base.codingPath }
    var allKeys: [Key] { base.allKeys }
    func contains(_ key: Key) -> Bool { base.contains(key) }
    func decodeNil(forKey key: Key) throws -> Bool { try base.decodeNil(forKey: key) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try base.decode(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try base.decode(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try base.decode(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try base.decode(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try base.decode(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try base.decode(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try base.decode(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try base.decode(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try base.decode(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try base.decode(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try base.decode(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try base.decode(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try base.decode(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try base.decode(type, forKey: key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try base.decode(Strict<T>.self, forKey: key).value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try base.decodeIfPresent(Strict<T>.self, forKey: key)?.value
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> {
        let nested = try base.nestedContainer(keyedBy: NestedKey.self, forKey: key)
        if let all = try? base.nestedContainer(keyedBy: AnyKey.self, forKey: key) {
            log.record(path: codingPath + [key], present: all.allKeys.map(\.stringValue)) { NestedKey(stringValue: $0) != nil }
        }
        return KeyedDecodingContainer(RecordingKeyedContainer<NestedKey>(base: nested, log: log))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(base: try base.nestedUnkeyedContainer(forKey: key), log: log)
    }

    func superDecoder() throws -> any Decoder { RecordingDecoder(base: try base.superDecoder(), log: log) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RecordingDecoder(base: try base.superDecoder(forKey: key), log: log) }
}

private struct RecordingUnkeyedContainer: UnkeyedDecodingContainer {
    var base: any UnkeyedDecodingContainer
    let log: KeyLog

    var codingPath: [any CodingKey] { base.codingPath }
    var count: Int? { base.count }
    var isAtEnd: Bool { base.isAtEnd }
    var currentIndex: Int { base.currentIndex }

    mutating func decodeNil() throws -> Bool { try base.decodeNil() }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try base.decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try base.decode(Strict<T>.self).value }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        // The element is read through the recording decoder, which logs its keys.
        try base.decode(Strict<NestedObject<NestedKey>>.self).value.container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(base: try base.nestedUnkeyedContainer(), log: log)
    }

    mutating func superDecoder() throws -> any Decoder { RecordingDecoder(base: try base.superDecoder(), log: log) }
}

/// An element's keyed container, opened through the recording decoder.
private struct NestedObject<Key: CodingKey>: Decodable {
    let container: KeyedDecodingContainer<Key>
    init(from decoder: any Decoder) throws { container = try decoder.container(keyedBy: Key.self) }
}

private struct RecordingSingleValueContainer: SingleValueDecodingContainer {
    let base: any SingleValueDecodingContainer
    let log: KeyLog

    var codingPath: [any CodingKey] { base.codingPath }
    func decodeNil() -> Bool { base.decodeNil() }
    func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
    func decode(_ type: String.Type) throws -> String { try base.decode(type) }
    func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
    func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
    func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try base.decode(Strict<T>.self).value }
}
