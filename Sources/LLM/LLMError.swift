/// The one error type of the LLM module. Messages are full words and never carry an API key:
/// provider bodies quoted in them are scrubbed of the key and cut short.
public struct LLMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in kinds a caller can act on.
    public enum Code: String, Sendable, Hashable {
        /// The account's model settings are incomplete or out of range.
        case invalidConfiguration
        /// The provider could not be reached or did not answer in time (after retries).
        case transport
        /// The provider answered with an error status (after retries).
        case providerStatus
        /// The provider's reply was not the JSON its API promises.
        case malformedReply
        /// The model's answer could not be read as a decision, even after one repair request.
        case unusableAnswer
        /// A prompt template is missing or cannot be rendered.
        case prompt
    }

    /// The kind of failure.
    public let code: Code
    /// The explanation, free of secrets.
    public let message: String
    /// The HTTP status, for `providerStatus`.
    public let status: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
