import JSONCore

extension JSONParser.Limits {
    /// The limits for text a model writes: no decision needs more, and a model stuck in a loop
    /// should be refused before its text costs memory.
    static let modelOutput = JSONParser.Limits(maximumDepth: 32, maximumBytes: 256 * 1024, maximumNumberLength: 64)
}

extension JSONParseError {
    /// The error as a repair request tells it to the model: unlike `description` it names a
    /// repeated key, since the model wrote the text and has to find the member to fix.
    var modelExplanation: String {
        let reason = switch problem {
        case .duplicateKey(let key): "the key \"\(key.prefix(40))\" appears twice"
        case .leadingZero: "a number cannot have leading zeros"
        default: self.reason
        }
        return "invalid JSON at byte \(offset ?? 0): \(reason)"
    }
}
