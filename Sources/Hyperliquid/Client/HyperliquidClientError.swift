import HTTP

/// Why a request to the venue failed, sorted so that callers can act: retry, give up, or find out
/// what happened before trying again.
///
/// Messages never carry keys, signatures or request bodies; they may quote the venue's own error
/// text, which names no secret.
public enum HyperliquidClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No response arrived (connection refused, timed out, lost). `mayHaveReachedVenue` is true
    /// when the venue may have acted on the request: the outcome is unclear.
    case transport(HTTPClientError, mayHaveReachedVenue: Bool)
    /// The venue kept answering 429 after the retries allowed.
    case rateLimited
    /// An HTTP status other than 200; `detail` is the start of the body.
    case httpStatus(Int, detail: String)
    /// The answer is not in the venue's documented shape.
    case malformedResponse(String)
    /// The venue refused the whole request (`"status": "err"` or an info error); its words.
    case venueError(String)
    /// A request could not be built: unknown coin, invalid address, a number needing rounding.
    case invalidRequest(String)
    /// Signing failed.
    case signing(HyperliquidError)

    /// Whether the venue may have acted although no answer says so: the caller must find out
    /// (by client order id) before sending anything that could repeat the action.
    public var isUnclearOutcome: Bool {
        switch self {
        case .transport(_, let mayHaveReachedVenue): mayHaveReachedVenue
        case .httpStatus(let status, _): status >= 500
        case .rateLimited, .malformedResponse, .venueError, .invalidRequest, .signing: false
        }
    }

    /// A message naming the failure in full words.
    public var description: String {
        switch self {
        case .transport(let error, let reached):
            "the venue could not be reached\(reached ? " (the request may have arrived)" : ""): \(error)"
        case .rateLimited:
            "the venue's rate limit was hit and retries ran out"
        case .httpStatus(let status, let detail):
            "the venue answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")"
        case .malformedResponse(let reason):
            "the venue's answer is malformed: \(reason)"
        case .venueError(let text):
            text
        case .invalidRequest(let reason):
            "invalid request: \(reason)"
        case .signing(let error):
            "\(error)"
        }
    }
}
