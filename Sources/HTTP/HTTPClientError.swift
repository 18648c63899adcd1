/// The one error type of the HTTP module. Its message names the method, scheme, host and port,
/// never the path, query, header fields or body, which may carry API keys.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in kinds a caller can act on.
    public enum Code: String, Sendable, Equatable {
        /// The request was refused before sending: bad URL, header or limit.
        case invalidRequest
        /// No connection could be made (refused, name not resolved, handshake aborted); nothing
        /// was sent.
        case connectionFailed
        /// The connect timeout or the whole-attempt timeout passed.
        case timedOut
        /// The connection broke before the response was complete: reset, closed without an
        /// answer, or a body shorter than its Content-Length.
        case connectionLost
        /// The response body or headers exceeded their limit.
        case responseTooLarge
        /// The server's reply was not valid HTTP or could not be decoded.
        case malformedResponse
        /// The TLS peer could not be verified (certificate, host name).
        case tlsFailure
        /// Another libcurl failure.
        case transportFailure
        /// The client was shut down before the request finished.
        case clientShutDown
    }

    /// The kind of failure.
    public let code: Code
    /// Whether the request may have reached the server, so that repeating it could repeat its
    /// effect. False only when libcurl reports that nothing was sent.
    public let requestMayHaveReachedServer: Bool
    /// The number of attempts made before giving up; 1 for a single attempt.
    public internal(set) var attempts: Int
    /// The full-word explanation, free of secrets.
    public let message: String
    /// The libcurl result code, for diagnostics; nil when the failure did not come from libcurl.
    public let curlCode: Int?

    init(code: Code, target: RequestTarget?, detail: String, requestMayHaveReachedServer: Bool = false, curlCode: Int? = nil) {
        self.code = code
        self.requestMayHaveReachedServer = requestMayHaveReachedServer
        self.attempts = 1
        if let target {
            self.message = "\(target.method) \(target.origin): \(detail)"
        } else {
            self.message = detail
        }
        self.curlCode = curlCode
    }

    /// Returns whether another attempt may succeed and is safe.
    /// - Parameter idempotent: Whether the caller declared the request safe to repeat.
    public func isRetryable(idempotent: Bool) -> Bool {
        switch code {
        case .connectionFailed:
            true
        case .timedOut, .connectionLost:
            idempotent || !requestMayHaveReachedServer
        case .invalidRequest, .responseTooLarge, .malformedResponse, .tlsFailure, .transportFailure, .clientShutDown:
            false
        }
    }

    /// The message, as shown in logs.
    public var description: String {
        message
    }
}

/// The parts of a request's URL that are safe to show: method, scheme, host, port.
struct RequestTarget: Sendable, Equatable {
    var method: String
    var scheme: String
    var host: String
    var port: Int

    /// `scheme://host:port`, the default concurrency key and the form used in messages.
    var origin: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }
}
