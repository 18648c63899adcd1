/// What can stop the arena, in words an operator can act on.
public enum ArenaError: Error, CustomStringConvertible, Equatable {
    case invalidRoster(String)
    case invalidAccount(String)
    case unknownDriver(String)
    case localModel(String)
    /// A request that cannot be carried out as asked (bad settings, a missing secret store).
    case invalidRequest(String)
    /// Nothing by that name or id.
    case notFound(String)
    /// The request clashes with what is there (a taken name, an account already in that mode).
    case conflict(String)

    public var description: String {
        switch self {
        case .invalidRoster(let reason): "The roster is invalid: \(reason)."
        case .invalidAccount(let reason): "The account is invalid: \(reason)."
        case .unknownDriver(let kind): "Unknown driver kind \(kind)."
        case .localModel(let reason): "The local model is not available: \(reason)."
        case .invalidRequest(let reason), .notFound(let reason), .conflict(let reason): reason
        }
    }

    /// Turns a decoding error into one line that names the field.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the document" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing"
        case .typeMismatch(_, let context): return "\(path(context)) has the wrong type"
        case .valueNotFound(_, let context): return "\(path(context)) is null"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "unreadable"
        }
    }
}
