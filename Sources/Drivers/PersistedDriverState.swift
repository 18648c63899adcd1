import ArenaCore
import Foundation
import JSONCore

/// A rule-based driver's state as it is stored with its account, so a restart resumes it exactly.
protocol PersistedDriverState: Codable {
    /// Throws `DriverError` for a state that breaks the driver's invariants.
    func validate() throws
}

extension PersistedDriverState {
    /// The state as JSON with sorted keys and decimals as exact strings.
    var persistedJSON: String {
        // JSONEncoder's bytes with `.sortedKeys` (slashes escaped). Every field is an exact
        // decimal, an integer or text: encoding cannot fail.
        (try? JSONTextEncoder(sortedKeys: true).encode(self)) ?? "{}"
    }

    /// Parses and validates stored JSON.
    /// - Parameter kind: What the state is, for the error ("hedge", "Fibonacci hedge").
    /// - Throws: `DriverError` when the text is not a valid state of this kind.
    static func restored(from json: String, kind: String) throws -> Self {
        let state: Self
        do {
            state = try JSONDecoder().decode(Self.self, from: Data(json.utf8))
        } catch {
            throw DriverError("Not a \(kind) state: \(error)")
        }
        try state.validate()
        return state
    }
}

extension ExecutionReport {
    /// Why the orders did not go through, as a clause for a driver's log (" (the risk gate refused
    /// it: …)"), or nothing when no reason was given.
    var refusalClause: String {
        if let reason = rejectionReason { return " (the risk gate refused it: \(reason))" }
        let reasons = orders.compactMap(\.rejectionReason)
        return reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"
    }
}

/// A driver state's stored JSON, encoded again only when the state changed: the runner asks for
/// it after every decision, and most decisions change nothing a driver keeps.
public struct PersistedJSONMemo<Value: Equatable & Sendable>: Sendable {
    private var last: (value: Value, json: String?)?

    public init() {}

    /// The JSON of `value`: the last one when `value` equals the last value, else `encode(value)`.
    public mutating func json(of value: Value, encode: (Value) -> String?) -> String? {
        if let last, last.value == value { return last.json }
        let json = encode(value)
        last = (value, json)
        return json
    }
}
