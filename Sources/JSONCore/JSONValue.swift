/// A JSON document as written: object members keep their document order and numbers keep their
/// exact text, so a venue's action hashes the same and a validator can tell `5` from `5.0`.
///
/// Foundation's `JSONSerialization` returns dictionaries (losing the key order a msgpack hash
/// depends on) and doubles (losing digits); this keeps both.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number exactly as written (RFC 8259 grammar), for example `-12`, `0.5` or `1e3`.
    case number(String)
    /// A decoded string.
    case string(String)
    /// Elements in order.
    case array([JSONValue])
    /// Members in document order; a parsed object never repeats a key.
    case object([(key: String, value: JSONValue)])

    /// Compares structurally, object members in order (`{"a":1,"b":2}` differs from `{"b":2,"a":1}`).
    public static func == (left: JSONValue, right: JSONValue) -> Bool {
        switch (left, right) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// Hashes structurally, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let text): hasher.combine(text)
        case .string(let text): hasher.combine(text)
        case .array(let values): hasher.combine(values)
        case .object(let members):
            hasher.combine(members.count)
            for member in members {
                hasher.combine(member.key)
                hasher.combine(member.value)
            }
        }
    }

    /// The member under `key` when this is an object that has it; nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// A short name of the kind ("a number", "an object"), for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
