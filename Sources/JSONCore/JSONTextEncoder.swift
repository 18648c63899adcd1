import Foundation

/// Encodes `Encodable` values as compact JSON text, byte for byte what Foundation's `JSONEncoder`
/// (swift-foundation, as shipped with Swift 6 on Linux) writes with the default strategies and the
/// matching `outputFormatting`, at a fraction of its cost on small values (no dynamic casts, no
/// dictionary per object, integers written without a `String`).
///
/// What it reproduces, because the hot paths depend on it (feed payloads, equity statistics,
/// decision records, driver states, the season's responses):
/// - keys sorted by their UTF-8 bytes (`sortedKeys`; Foundation on Linux sorts this way, not with
///   the numeric, case-insensitive comparison of Darwin's compatibility mode); without
///   `sortedKeys` keys come in the order first encoded (Foundation's order is its dictionary's,
///   unspecified); a key encoded twice keeps its last value;
/// - a floating-point number as its `description` less a trailing `.0`; a non-finite one throws
///   `EncodingError.invalidValue` (the default `.throw` strategy), with Foundation's message;
/// - strings escaped as Foundation does: `"`, `\`, `\b \f \n \r \t`, other control characters as
///   lowercase `\u00xx`, `/` as `\/` unless `escapesSlashes` is off; everything else (DEL, non-ASCII,
///   U+2028/2029) as raw UTF-8;
/// - `encodeIfPresent(nil)` omits the key, `encodeNil` writes `null`, a nested value that encodes
///   nothing is `{}`, a top-level value that encodes nothing throws, `superEncoder` writes under
///   `"super"` (or in place in an array), a nested container requested twice for one key is shared.
///
/// Foundation's special cases are reproduced too, with the default strategies only: `Data` as a
/// base64 string, `URL` as its `absoluteString`, `Decimal` as its `description` unquoted, `Date`
/// through its own `encode(to:)` (seconds since 2001 as a number, `.deferredToDate`). No other
/// strategy (dates, keys, non-conforming floats, pretty printing) is offered.
public struct JSONTextEncoder: Sendable {
    /// Sorts every object's keys by their UTF-8 bytes (`.sortedKeys`).
    public var sortedKeys: Bool
    /// Writes `/` as `\/` (Foundation's default; `.withoutEscapingSlashes` turns it off).
    public var escapesSlashes: Bool

    public init(sortedKeys: Bool = false, escapesSlashes: Bool = true) {
        self.sortedKeys = sortedKeys
        self.escapesSlashes = escapesSlashes
    }

    /// The JSON text of `value` as UTF-8 bytes.
    public func encodeBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        try written(try tree(of: value)) { Array($0) }
    }

    /// The JSON text of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> String {
        try written(try tree(of: value)) { String(decoding: $0, as: UTF8.self) }
    }

    /// The JSON text of `value`, which lists its members itself: chosen where that is known at
    /// compile time, it skips the dynamic cast the `Encodable` path makes to find out.
    public func encode<T: JSONMembersWritable>(_ value: T) throws -> String {
        try written(try Self.object(value)) { String(decoding: $0, as: UTF8.self) }
    }

    /// The JSON text of `value` as `Data`, as `JSONEncoder.encode` returns it.
    public func encodeData<T: Encodable>(_ value: T) throws -> Data {
        try written(try tree(of: value)) { Data(buffer: $0) }
    }

    /// The object node of a value that lists its members.
    static func object(_ value: some JSONMembersWritable) throws -> JSONNode {
        let members = JSONMembers()
        try value.writeMembers(to: members)
        return .object(members.object)
    }

    private func tree<T: Encodable>(of value: T) throws -> JSONNode {
        if let special = JSONNode.special(value) { return special }
        if let writable = value as? any JSONMembersWritable { return try Self.object(writable) }
        let encoder = TextEncoder(parent: nil, key: nil)
        try value.encode(to: encoder)
        guard let node = encoder.takeNode() else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return node
    }

    /// Writes `node` and hands its text to `result` (the writer's buffer lives only that long).
    private func written<R>(_ node: JSONNode, _ result: (UnsafeBufferPointer<UInt8>) -> R) throws -> R {
        var writer = JSONTextWriter(sortedKeys: sortedKeys, escapesSlashes: escapesSlashes)
        defer { writer.bytes.deallocate() }
        try writer.write(node, depth: 0)
        return result(writer.bytes.contents)
    }
}

/// A growable byte buffer without `Array`'s uniqueness checks; its owner deallocates it.
struct OutputBytes {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    var contents: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func deallocate() { base.deallocate() }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
        if capacity - count < bytes.count { grow(toHold: bytes.count) }
        (base + count).update(from: start, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }

    private mutating func grow(toHold extra: Int) {
        let newCapacity = max(capacity * 2, count + extra)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}

// MARK: - The tree

/// One value being encoded. Scalars keep their final text or their number; containers are shared
/// boxes, because a container handed out may still be written to after its parent moved on.
enum JSONNode {
    case null
    case bool(Bool)
    case signed(Int64)
    case unsigned(UInt64)
    /// Finite (checked when encoded); written as Foundation does, its description less a trailing `.0`.
    case double(Double)
    case float(Float)
    /// Number text written as is (128-bit integers, `Decimal`).
    case number(String)
    case string(String)
    case array(JSONArrayBox)
    case object(JSONObjectBox)

    /// Foundation's special-cased types (default strategies), or nil for any other type.
    @inline(__always)
    static func special<T: Encodable>(_ value: T) -> JSONNode? {
        if T.self == Data.self, let data = value as? Data { return .string(data.base64EncodedString()) }
        if T.self == URL.self, let url = value as? URL { return .string(url.absoluteString) }
        if T.self == Decimal.self, let decimal = value as? Decimal { return .number(decimal.description) }
        return nil
    }

    /// A finite number's node; a non-finite one throws Foundation's error (the `.throw` strategy).
    @inline(__always)
    static func float(_ value: Double, path: @autoclosure () -> [any CodingKey]) throws -> JSONNode {
        guard value.isFinite else { throw nonFinite(value, path: path()) }
        return .double(value)
    }

    @inline(__always)
    static func float(_ value: Float, path: @autoclosure () -> [any CodingKey]) throws -> JSONNode {
        guard value.isFinite else { throw nonFinite(value, path: path()) }
        return .float(value)
    }

    static func nonFinite<F: BinaryFloatingPoint>(_ value: F, path: [any CodingKey]) -> EncodingError {
        EncodingError.invalidValue(value, EncodingError.Context(
            codingPath: path, debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."))
    }
}

final class JSONArrayBox {
    @exclusivity(unchecked) var items: [JSONNode] = []
    init() {}
}

/// An object's members in the order encoded; a key encoded twice appears twice (the last wins
/// when written).
final class JSONObjectBox {
    struct Member {
        var key: String
        var value: JSONNode
    }

    // Only ever touched by the one encoding that owns the box: no dynamic exclusivity checks.
    @exclusivity(unchecked) var members: [Member] = []

    init() {
        members.reserveCapacity(16)
    }

    @inline(__always)
    func set(_ value: JSONNode, for key: String) {
        members.append(Member(key: key, value: value))
    }

    /// The latest value stored under `key`, for containers requested again for that key.
    func lastValue(of key: String) -> JSONNode? {
        members.last { $0.key == key }?.value
    }
}

// MARK: - Coding keys of its own

struct JSONIndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(index: Int) { intValue = index; stringValue = "Index \(index)" }
    init?(intValue: Int) { self.init(index: intValue) }
    init?(stringValue: String) { return nil }
}

struct JSONSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { guard stringValue == "super" else { return nil } }
    init?(intValue: Int) { return nil }
}

// MARK: - The encoder

final class TextEncoder: Encoder {
    /// The encoder this one encodes a member of, and the key of that member (for `codingPath`).
    /// As in Foundation, the keys of nested containers between the two are not part of the path.
    var parent: TextEncoder?
    var key: (any CodingKey)?

    // One encoding owns its encoders: no dynamic exclusivity checks.
    @exclusivity(unchecked) var single: JSONNode?
    @exclusivity(unchecked) var array: JSONArrayBox?
    @exclusivity(unchecked) var object: JSONObjectBox?
    /// A finished child encoder kept for the next member, as Foundation does.
    @exclusivity(unchecked) private var spare: TextEncoder?

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(parent: TextEncoder?, key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var result: [any CodingKey] = []
        var encoder: TextEncoder? = self
        while let current = encoder {
            if let key = current.key { result.append(key) }
            encoder = current.parent
        }
        return result.reversed()
    }

    func takeNode() -> JSONNode? {
        if let object {
            self.object = nil
            return .object(object)
        }
        if let array {
            self.array = nil
            return .array(array)
        }
        defer { single = nil }
        return single
    }

    /// As Foundation: a second request returns the same object, an object already encoded as a
    /// single value is reopened, anything else already encoded here is a programming error.
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: JSONObjectBox
        if let object {
            box = object
        } else if case .object(let encoded)? = single {
            single = nil
            box = encoded
        } else {
            precondition(single == nil && array == nil,
                         "Attempt to push new keyed encoding container when already previously encoded at this path.")
            box = JSONObjectBox()
        }
        object = box
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self, box: box, path: []))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: JSONArrayBox
        if let array {
            box = array
        } else if case .array(let encoded)? = single {
            single = nil
            box = encoded
        } else {
            precondition(single == nil && object == nil,
                         "Attempt to push new unkeyed encoding container when already previously encoded at this path.")
            box = JSONArrayBox()
        }
        array = box
        return UnkeyedContainer(encoder: self, box: box, path: [])
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }

    /// The node of a member value, encoded by a child encoder (reused when nothing kept it).
    @inline(__always)
    func child<T: Encodable>(_ value: T, key: any CodingKey) throws -> JSONNode {
        if let special = JSONNode.special(value) {
            return special
        }
        var encoder: TextEncoder
        if let spare {
            self.spare = nil
            encoder = spare
            encoder.parent = self
            encoder.key = key
        } else {
            encoder = TextEncoder(parent: self, key: key)
        }
        try value.encode(to: encoder)
        let node = encoder.takeNode() ?? .object(JSONObjectBox())
        if spare == nil, isKnownUniquelyReferenced(&encoder) {
            encoder.parent = nil
            encoder.key = nil
            spare = encoder
        }
        return node
    }
}

/// Writes the member a super encoder encoded into its place when the super encoder goes away,
/// as Foundation's referencing encoder does.
final class SuperTextEncoder: Encoder {
    private let inner: TextEncoder
    private let place: Place

    enum Place {
        case member(JSONObjectBox, String)
        case element(JSONArrayBox, Int)
    }

    init(parent: TextEncoder, key: any CodingKey, place: Place) {
        inner = TextEncoder(parent: parent, key: key)
        self.place = place
    }

    deinit {
        let node = inner.takeNode() ?? .object(JSONObjectBox())
        switch place {
        case .member(let box, let key): box.set(node, for: key)
        case .element(let box, let index): box.items.insert(node, at: min(index, box.items.count))
        }
    }

    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { inner.container(keyedBy: type) }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { inner.unkeyedContainer() }
    func singleValueContainer() -> any SingleValueEncodingContainer { inner.singleValueContainer() }
}

// MARK: - Containers

struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TextEncoder
    let box: JSONObjectBox
    /// Keys of nested containers from `encoder`'s value to this container.
    let path: [any CodingKey]

    var codingPath: [any CodingKey] { encoder.codingPath + path }

    mutating func encodeNil(forKey key: Key) throws { box.set(.null, for: key.stringValue) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.set(.bool(value), for: key.stringValue) }
    mutating func encode(_ value: String, forKey key: Key) throws { box.set(.string(value), for: key.stringValue) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        box.set(try .float(value, path: encoder.codingPath + [key]), for: key.stringValue)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        box.set(try .float(value, path: encoder.codingPath + [key]), for: key.stringValue)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.set(.signed(Int64(value)), for: key.stringValue) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { box.set(.signed(Int64(value)), for: key.stringValue) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { box.set(.signed(Int64(value)), for: key.stringValue) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.set(.signed(Int64(value)), for: key.stringValue) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(.signed(value), for: key.stringValue) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { box.set(.number(value.description), for: key.stringValue) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { box.set(.unsigned(UInt64(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { box.set(.unsigned(UInt64(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { box.set(.unsigned(UInt64(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { box.set(.unsigned(UInt64(value)), for: key.stringValue) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.set(.unsigned(value), for: key.stringValue) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { box.set(.number(value.description), for: key.stringValue) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.set(try encoder.child(value, key: key), for: key.stringValue)
    }

    // The protocol's default does the same through one more generic layer.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return }
        box.set(try encoder.child(value, key: key), for: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let name = key.stringValue
        let nested: JSONObjectBox
        if let value = box.lastValue(of: name) {
            guard case .object(let existing) = value else {
                preconditionFailure("Attempt to re-encode into nested KeyedEncodingContainer<\(Key.self)> for key \"\(name)\" is invalid: non-keyed container already encoded for this key")
            }
            nested = existing
        } else {
            nested = JSONObjectBox()
            box.set(.object(nested), for: name)
        }
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, box: nested, path: path + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let name = key.stringValue
        let nested: JSONArrayBox
        if let value = box.lastValue(of: name) {
            guard case .array(let existing) = value else {
                preconditionFailure("Attempt to re-encode into nested UnkeyedEncodingContainer for key \"\(name)\" is invalid: keyed container/single value already encoded for this key")
            }
            nested = existing
        } else {
            nested = JSONArrayBox()
            box.set(.array(nested), for: name)
        }
        return UnkeyedContainer(encoder: encoder, box: nested, path: path + [key])
    }

    mutating func superEncoder() -> any Encoder {
        SuperTextEncoder(parent: encoder, key: JSONSuperKey(), place: .member(box, "super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        SuperTextEncoder(parent: encoder, key: key, place: .member(box, key.stringValue))
    }
}

struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: TextEncoder
    let box: JSONArrayBox
    let path: [any CodingKey]

    var codingPath: [any CodingKey] { encoder.codingPath + path }
    var count: Int { box.items.count }

    private var indexKey: JSONIndexKey { JSONIndexKey(index: box.items.count) }

    mutating func encodeNil() throws { box.items.append(.null) }
    mutating func encode(_ value: Bool) throws { box.items.append(.bool(value)) }
    mutating func encode(_ value: String) throws { box.items.append(.string(value)) }
    mutating func encode(_ value: Double) throws { box.items.append(try .float(value, path: encoder.codingPath + [indexKey])) }
    mutating func encode(_ value: Float) throws { box.items.append(try .float(value, path: encoder.codingPath + [indexKey])) }
    mutating func encode(_ value: Int) throws { box.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) throws { box.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) throws { box.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) throws { box.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { box.items.append(.signed(value)) }
    mutating func encode(_ value: Int128) throws { box.items.append(.number(value.description)) }
    mutating func encode(_ value: UInt) throws { box.items.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { box.items.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { box.items.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { box.items.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { box.items.append(.unsigned(value)) }
    mutating func encode(_ value: UInt128) throws { box.items.append(.number(value.description)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.items.append(try encoder.child(value, key: indexKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = indexKey
        let nested = JSONObjectBox()
        box.items.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, box: nested, path: path + [key]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = indexKey
        let nested = JSONArrayBox()
        box.items.append(.array(nested))
        return UnkeyedContainer(encoder: encoder, box: nested, path: path + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let index = box.items.count
        return SuperTextEncoder(parent: encoder, key: JSONIndexKey(index: index), place: .element(box, index))
    }
}

struct SingleContainer: SingleValueEncodingContainer {
    let encoder: TextEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    @inline(__always)
    private func store(_ node: JSONNode) {
        precondition(encoder.single == nil, "Attempt to encode value through single value container when previously value already encoded.")
        encoder.single = node
    }

    mutating func encodeNil() throws { store(.null) }
    mutating func encode(_ value: Bool) throws { store(.bool(value)) }
    mutating func encode(_ value: String) throws { store(.string(value)) }
    mutating func encode(_ value: Double) throws { store(try .float(value, path: codingPath)) }
    mutating func encode(_ value: Float) throws { store(try .float(value, path: codingPath)) }
    mutating func encode(_ value: Int) throws { store(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) throws { store(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) throws { store(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) throws { store(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { store(.signed(value)) }
    mutating func encode(_ value: Int128) throws { store(.number(value.description)) }
    mutating func encode(_ value: UInt) throws { store(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { store(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { store(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { store(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { store(.unsigned(value)) }
    mutating func encode(_ value: UInt128) throws { store(.number(value.description)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        precondition(encoder.single == nil, "Attempt to encode value through single value container when previously value already encoded.")
        if let special = JSONNode.special(value) {
            encoder.single = special
            return
        }
        // Foundation encodes the wrapped value with this same encoder (no new path component).
        try value.encode(to: encoder)
        if encoder.single == nil, encoder.object == nil, encoder.array == nil {
            encoder.single = .object(JSONObjectBox())
        }
    }
}

// MARK: - Writing

struct JSONTextWriter {
    /// Foundation refuses containers nested this deep.
    static let maximumDepth = 512

    let sortedKeys: Bool
    let escapesSlashes: Bool
    var bytes = OutputBytes(capacity: 512)

    init(sortedKeys: Bool, escapesSlashes: Bool) {
        self.sortedKeys = sortedKeys
        self.escapesSlashes = escapesSlashes
    }

    mutating func write(_ node: JSONNode, depth: Int) throws {
        switch node {
        case .null: append("null")
        case .bool(let value): append(value ? "true" : "false")
        case .signed(let value):
            if value < 0 {
                bytes.append(UInt8(ascii: "-"))
                writeDigits(value.magnitude)
            } else {
                writeDigits(UInt64(value))
            }
        case .unsigned(let value): writeDigits(value)
        case .double(let value): writeFloat(value.description)
        case .float(let value): writeFloat(value.description)
        case .number(let text): appendUTF8(text)
        case .string(let text): writeString(text)
        case .array(let box):
            guard depth + 1 < Self.maximumDepth else { throw tooDeep() }
            bytes.append(UInt8(ascii: "["))
            var first = true
            for item in box.items {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                try write(item, depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let box):
            guard depth + 1 < Self.maximumDepth else { throw tooDeep() }
            try writeObject(box, depth: depth + 1)
        }
    }

    private mutating func writeObject(_ box: JSONObjectBox, depth: Int) throws {
        bytes.append(UInt8(ascii: "{"))
        try box.members.withUnsafeBufferPointer { members in
            let count = members.count
            var first = true
            if sortedKeys && count > 1 {
                // Positions sorted by key bytes (compared by their first eight bytes, then in full),
                // then by position, so the last of equal keys wins.
                try withUnsafeTemporaryAllocation(of: SortKey.self, capacity: count) { buffer in
                    var order = buffer
                    for index in 0..<count { buffer.initializeElement(at: index, to: SortKey(prefix: Self.prefix(members[index].key), index: index)) }
                    let precedes = { (left: SortKey, right: SortKey) -> Bool in
                        if left.prefix != right.prefix { return left.prefix < right.prefix }
                        let leftKey = members[left.index].key, rightKey = members[right.index].key
                        if leftKey == rightKey { return left.index < right.index }
                        return leftKey.utf8.lexicographicallyPrecedes(rightKey.utf8)
                    }
                    var sorted = true
                    for position in 1..<count where !precedes(order[position - 1], order[position]) {
                        sorted = false
                        break
                    }
                    if !sorted { order.sort(by: precedes) }
                    var position = 0
                    while position < count {
                        let entry = order[position].index
                        position += 1
                        if position < count, order[position].prefix == order[position - 1].prefix,
                           members[order[position].index].key == members[entry].key { continue }
                        if !first { bytes.append(UInt8(ascii: ",")) }
                        first = false
                        writeString(members[entry].key)
                        bytes.append(UInt8(ascii: ":"))
                        try write(members[entry].value, depth: depth)
                    }
                }
            } else if count <= 1 {
                for member in members {
                    writeString(member.key)
                    bytes.append(UInt8(ascii: ":"))
                    try write(member.value, depth: depth)
                }
            } else {
                // Each key at its first position, with its last value.
                var lastIndex: [String: Int] = [:]
                for entry in 0..<count { lastIndex[members[entry].key] = entry }
                var written = Set<String>()
                for member in members {
                    guard written.insert(member.key).inserted else { continue }
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(member.key)
                    bytes.append(UInt8(ascii: ":"))
                    try write(members[lastIndex[member.key] ?? 0].value, depth: depth)
                }
            }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private struct SortKey {
        var prefix: UInt64
        var index: Int
    }

    /// The key's first eight UTF-8 bytes, big-endian, zero-padded: comparing two prefixes orders
    /// keys as their bytes do, except when equal (then the keys are compared in full).
    @inline(__always)
    static func prefix(_ key: String) -> UInt64 {
        if let prefix = key.utf8.withContiguousStorageIfAvailable(prefix(of:)) { return prefix }
        var key = key
        return key.withUTF8(prefix(of:))
    }

    @inline(__always)
    private static func prefix(of utf8: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var prefix: UInt64 = 0
        let taken = min(utf8.count, 8)
        for index in 0..<taken { prefix = prefix << 8 | UInt64(utf8[index]) }
        return taken == 0 ? 0 : prefix << (8 * (8 - taken))
    }

    private func tooDeep() -> EncodingError {
        EncodingError.invalidValue(0, EncodingError.Context(
            codingPath: [], debugDescription: "Unable to encode the given top-level value to JSON."))
    }

    @inline(__always)
    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    private mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// A floating-point description less a trailing `.0` (`1.0` is `1`, `1e+16` stays).
    private mutating func writeFloat(_ description: String) {
        var text = description
        text.withUTF8 { utf8 in
            var count = utf8.count
            if count > 2, utf8[count - 1] == UInt8(ascii: "0"), utf8[count - 2] == UInt8(ascii: ".") { count -= 2 }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[0..<count]))
        }
    }

    private mutating func writeDigits(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes hold the 20 digits of UInt64.max
        withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = value
            var position = 24
            while rest > 0 {
                position -= 1
                buffer[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
                rest /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position...]))
        }
    }

    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ writeStringContents($0) }) == nil {
            var text = text
            text.withUTF8 { writeStringContents($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeStringContents(_ utf8: UnsafeBufferPointer<UInt8>) {
        let escapesSlashes = escapesSlashes
        var start = 0
        var index = 0
        let count = utf8.count
        // Most text needs no escape: find the first byte that does, then copy up to it at once.
        while index < count {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (byte == UInt8(ascii: "/") && escapesSlashes) { break }
            index += 1
        }
        while index < count {
            let byte = utf8[index]
            let escape: UInt8
            switch byte {
            case UInt8(ascii: "\""): escape = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
            case UInt8(ascii: "/") where escapesSlashes: escape = UInt8(ascii: "/")
            case 0x08: escape = UInt8(ascii: "b")
            case 0x0C: escape = UInt8(ascii: "f")
            case 0x0A: escape = UInt8(ascii: "n")
            case 0x0D: escape = UInt8(ascii: "r")
            case 0x09: escape = UInt8(ascii: "t")
            case 0x00...0x1F: escape = UInt8(ascii: "u")
            default:
                index += 1
                continue
            }
            if index > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index])) }
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(escape)
            if escape == UInt8(ascii: "u") {
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0x0F))
            }
            index += 1
            start = index
        }
        if count > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<count])) }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? value &+ 48 : value &- 10 &+ UInt8(ascii: "a")
    }
}
