/// A complete HTTP response: status, header fields and the whole body.
public struct HTTPResponse: Sendable {
    /// The status code, such as 200.
    public var status: Int
    /// The header fields of the final response (interim 1xx responses are dropped).
    public var headers: HTTPHeaders
    /// The body bytes, at most the request's response limit.
    public var body: [UInt8]
    /// How the response was obtained: attempts, latency, connections.
    public var metrics: HTTPRequestMetrics

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders, body: [UInt8], metrics: HTTPRequestMetrics = HTTPRequestMetrics()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.metrics = metrics
    }

    /// Returns the body decoded as UTF-8, with invalid sequences replaced.
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool {
        (200..<300).contains(status)
    }
}

/// Measurements of one request, across its attempts.
public struct HTTPRequestMetrics: Sendable, Equatable {
    /// The number of attempts made, counting the first.
    public var attempts: Int
    /// The time from the first attempt's start to the end of the last, including waits between
    /// attempts and waits for a concurrency permit.
    public var totalDuration: Duration
    /// The time the last attempt spent in libcurl.
    public var lastAttemptDuration: Duration
    /// The number of new connections the last attempt opened (0 when it reused one).
    public var newConnections: Int

    /// Creates metrics.
    public init(attempts: Int = 1, totalDuration: Duration = .zero, lastAttemptDuration: Duration = .zero, newConnections: Int = 0) {
        self.attempts = attempts
        self.totalDuration = totalDuration
        self.lastAttemptDuration = lastAttemptDuration
        self.newConnections = newConnections
    }
}
