import JSONCore

extension WireValue {
    /// Converts parsed JSON into a wire value, keeping key order, the way the Python SDK sees the
    /// same JSON: integers become msgpack integers and everything else maps one to one.
    ///
    /// - Parameter path: where the value sits, for error messages (`action.orders[0].a`).
    /// - Throws: `HyperliquidError.invalidAction` for a number with a fraction or exponent (the
    ///   venue carries decimals as strings, and Python would hash a float where the venue expects a
    ///   string) or an integer outside the 64-bit range msgpack can hold.
    public init(json: JSONValue, path: String = "action") throws(HyperliquidError) {
        switch json {
        case .null:
            self = .null
        case .bool(let value):
            self = .bool(value)
        case .string(let text):
            self = .string(text)
        case .number(let text):
            guard !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
                throw .invalidAction("\(path) is a number with a fraction or exponent; decimals must be strings")
            }
            if let value = Int64(text) {
                self = .integer(value)
            } else if let value = UInt64(text) {
                self = .unsignedInteger(value)
            } else {
                throw .invalidAction("\(path) is an integer outside the 64-bit range")
            }
        case .array(let elements):
            var values: [WireValue] = []
            values.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                values.append(try WireValue(json: element, path: "\(path)[\(index)]"))
            }
            self = .array(values)
        case .object(let members):
            var entries: [(key: String, value: WireValue)] = []
            entries.reserveCapacity(members.count)
            for member in members {
                entries.append((member.key, try WireValue(json: member.value, path: "\(path).\(member.key)")))
            }
            self = .map(entries)
        }
    }

    /// The same value as JSON, map keys in their given order and integers in decimal.
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .integer(let value): .number(String(value))
        case .unsignedInteger(let value): .number(String(value))
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(\.json))
        case .map(let entries): .object(entries.map { ($0.key, $0.value.json) })
        }
    }

    /// Returns compact JSON text with map keys in their given order, as the request body carries
    /// the action.
    public func jsonText() -> String { json.serialized }
}
