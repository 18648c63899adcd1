/// A type that lists its JSON object's members itself. `JSONTextEncoder` then builds the object
/// directly instead of through `Encodable`'s containers (a box, a coding key and dynamic calls per
/// member): for the few types encoded once per decision or fill. It must list exactly what its
/// `encode(to:)` encodes, the same keys in the same order with the same values (the parity tests
/// compare each conforming type with Foundation's `JSONEncoder`). Only a value encoded at the top
/// takes this path; nested in another value it encodes as `Encodable` says.
public protocol JSONMembersWritable: Encodable {
    func writeMembers(to members: JSONMembers) throws
}

/// The members of one JSON object as a `JSONMembersWritable` lists them. A nil value is left out,
/// as the synthesized `encode(to:)` leaves out a nil optional (`encodeIfPresent`).
public struct JSONMembers {
    let object = JSONObjectBox()

    public func add(_ key: String, _ value: String?) {
        if let value { object.set(.string(value), for: key) }
    }

    public func add(_ key: String, _ value: Int64?) {
        if let value { object.set(.signed(value), for: key) }
    }

    public func add(_ key: String, _ value: Int?) {
        if let value { object.set(.signed(Int64(value)), for: key) }
    }

    public func add(_ key: String, _ value: Bool?) {
        if let value { object.set(.bool(value), for: key) }
    }

    /// - Throws: `EncodingError.invalidValue` for a number that is not finite, as `JSONEncoder` does.
    public func add(_ key: String, _ value: Double?) throws {
        if let value { object.set(try .float(value, path: [JSONMemberKey(key)]), for: key) }
    }

    public func add(_ key: String, _ values: [String]?) {
        guard let values else { return }
        let array = JSONArrayBox()
        array.items.reserveCapacity(values.count)
        for value in values { array.items.append(.string(value)) }
        object.set(.array(array), for: key)
    }

    /// An array of objects that list their own members.
    public func add<Element: JSONMembersWritable>(_ key: String, _ values: [Element]?) throws {
        guard let values else { return }
        let array = JSONArrayBox()
        array.items.reserveCapacity(values.count)
        for value in values { array.items.append(try JSONTextEncoder.object(value)) }
        object.set(.array(array), for: key)
    }

    /// An object that lists its own members.
    public func add<Value: JSONMembersWritable>(_ key: String, _ value: Value?) throws {
        if let value { object.set(try JSONTextEncoder.object(value), for: key) }
    }

    /// A dictionary of objects that list their own members, as `JSONEncoder` writes a
    /// `[String: Value]`: an object with a member per entry (in the dictionary's order, or sorted
    /// with `sortedKeys`).
    public func add<Value: JSONMembersWritable>(_ key: String, _ values: [String: Value]?) throws {
        guard let values else { return }
        let dictionary = JSONObjectBox()
        for (name, value) in values { dictionary.set(try JSONTextEncoder.object(value), for: name) }
        object.set(.object(dictionary), for: key)
    }
}

/// A member's key, for the coding path of an encoding error.
struct JSONMemberKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ key: String) { stringValue = key }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
