/// An action as the venue sees it: the value that is msgpack-encoded for the L1 hash and written
/// as JSON in the request body.
///
/// Maps keep their keys in the order given, because msgpack writes them in that order and the
/// hash depends on it. There are no floating-point numbers: Hyperliquid carries prices, sizes and
/// amounts as decimal strings.
public enum WireValue: Sendable, Equatable {
    /// msgpack nil, JSON null.
    case null
    /// A boolean.
    case bool(Bool)
    /// Any integer from `Int64.min` to `Int64.max`.
    case integer(Int64)
    /// An integer above `Int64.max`; smaller values use `integer`.
    case unsignedInteger(UInt64)
    /// UTF-8 text.
    case string(String)
    /// Elements in order.
    case array([WireValue])
    /// Key-value pairs in their significant order.
    case map([(key: String, value: WireValue)])

    /// Compares structurally, map entries in order.
    public static func == (left: WireValue, right: WireValue) -> Bool {
        switch (left, right) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.unsignedInteger(a), .unsignedInteger(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.map(a), .map(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// Returns the value under `key` when this is a map that has it.
    public subscript(key: String) -> WireValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first(where: { $0.key == key })?.value
    }

    /// A non-negative whole number in whichever integer case fits it.
    public static func unsigned(_ value: UInt64) -> WireValue {
        value <= UInt64(Int64.max) ? .integer(Int64(value)) : .unsignedInteger(value)
    }

    /// The non-negative integer this holds, if any.
    public var unsignedIntegerValue: UInt64? {
        switch self {
        case .integer(let value) where value >= 0: UInt64(value)
        case .unsignedInteger(let value): value
        default: nil
        }
    }
}
