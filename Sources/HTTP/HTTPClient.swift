import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings shared by every request of one `HTTPClient`.
public struct HTTPClientConfiguration: Sendable {
    /// The most requests in flight per host key; further requests wait in arrival order.
    public var maximumConcurrentRequestsPerHost: Int
    /// The largest response body accepted when the request sets no limit of its own.
    public var maximumResponseBytes: Int
    /// The largest total size of a response's header lines.
    public var maximumResponseHeaderBytes: Int
    /// Whether to offer gzip and deflate; the body limit applies to the decoded bytes.
    public var acceptsCompressedResponses: Bool
    /// The User-Agent sent when the request does not set one.
    public var userAgent: String
    /// The most easy handles kept for reuse on the curl thread.
    public var maximumIdleEasyHandles: Int
    /// The most idle connections libcurl keeps open for reuse, over all hosts. libcurl's own
    /// default (four per transfer in flight) shrinks whenever few transfers run and then closes
    /// connections that the next burst needs again.
    public var maximumCachedConnections: Int

    /// Creates a configuration.
    /// - Parameters:
    ///   - maximumConcurrentRequestsPerHost: The most requests in flight per host key.
    ///   - maximumResponseBytes: The default response body limit.
    ///   - maximumResponseHeaderBytes: The limit on a response's header lines.
    ///   - acceptsCompressedResponses: Whether to offer compressed encodings.
    ///   - userAgent: The default User-Agent.
    ///   - maximumIdleEasyHandles: The most easy handles kept for reuse.
    ///   - maximumCachedConnections: The most idle connections kept for reuse.
    public init(
        maximumConcurrentRequestsPerHost: Int = 32,
        maximumResponseBytes: Int = 32 * 1_024 * 1_024,
        maximumResponseHeaderBytes: Int = 256 * 1_024,
        acceptsCompressedResponses: Bool = true,
        userAgent: String = "arena-http/1",
        maximumIdleEasyHandles: Int = 64,
        maximumCachedConnections: Int = 64
    ) {
        self.maximumConcurrentRequestsPerHost = max(1, maximumConcurrentRequestsPerHost)
        self.maximumResponseBytes = max(0, maximumResponseBytes)
        self.maximumResponseHeaderBytes = max(1_024, maximumResponseHeaderBytes)
        self.acceptsCompressedResponses = acceptsCompressedResponses
        self.userAgent = userAgent
        self.maximumIdleEasyHandles = max(0, maximumIdleEasyHandles)
        self.maximumCachedConnections = max(1, maximumCachedConnections)
    }
}

/// The outbound HTTP client: libcurl's multi interface driven by one dedicated thread, behind
/// async/await, with per-host concurrency limits, timeouts, cancellation and retries.
///
/// Create one per process (or per subsystem) and share it; connections are reused across
/// requests. The curl thread ends on `shutdown()` or when the client is released.
public final class HTTPClient: Sendable {
    /// The settings this client was created with.
    public let configuration: HTTPClientConfiguration
    let engine: CurlEngine
    private let limiters = Mutex<[String: AsyncSemaphore]>([:])

    /// Creates a client and starts its curl thread.
    /// - Throws: `HTTPClientError` with code `transportFailure` when libcurl cannot start.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        self.configuration = configuration
        engine = try CurlEngine(settings: CurlEngine.Settings(
            maximumResponseHeaderBytes: configuration.maximumResponseHeaderBytes,
            acceptsCompressedResponses: configuration.acceptsCompressedResponses,
            userAgent: configuration.userAgent,
            maximumIdleEasyHandles: configuration.maximumIdleEasyHandles,
            maximumCachedConnections: configuration.maximumCachedConnections
        ))
    }

    deinit {
        engine.shutdown()
    }

    /// Fails every request in flight with `clientShutDown` and stops the curl thread; later
    /// requests fail the same way.
    public func shutdown() {
        engine.shutdown()
    }

    /// Sends the request once and returns the response, whatever its status.
    /// - Parameter request: The request to send.
    /// - Returns: The response of the single attempt.
    /// - Throws: `HTTPClientError` when no complete response arrived; `CancellationError` when the
    ///   task was cancelled (the transfer is aborted).
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await execute(request, retryPolicy: .none)
    }

    /// Sends the request, repeating it as the policy allows, and returns the last response.
    ///
    /// A response whose status is not retried (or retried too often) is returned, not thrown, so
    /// the caller can read an error body. Each attempt takes a permit of the request's host key.
    /// - Parameters:
    ///   - request: The request to send.
    ///   - retryPolicy: When and how long to wait before another attempt.
    /// - Returns: The last response, with `metrics.attempts` telling how many attempts were made.
    /// - Throws: The last attempt's `HTTPClientError` (with `attempts` set) when no response
    ///   arrived; `CancellationError` when the task was cancelled, also during a wait.
    public func execute(_ request: HTTPRequest, retryPolicy: RetryPolicy) async throws -> HTTPResponse {
        let target = try CurlURL.target(of: request)
        try request.validate(target: target)
        let limiter = limiter(for: request.hostKey ?? target.origin)
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        while true {
            attempt += 1
            let delay: Duration
            do {
                var response = try await limiter.withPermit {
                    try await attemptOnce(request, target: target, clock: clock)
                }
                response.metrics.attempts = attempt
                response.metrics.totalDuration = clock.now - start
                let decision = retryPolicy.decision(
                    status: response.status,
                    retryAfter: response.headers["Retry-After"],
                    attempt: attempt,
                    idempotent: request.isIdempotent,
                    nowEpochSeconds: Self.wallClockEpochSeconds()
                )
                guard case .retry(let after) = decision else { return response }
                delay = after
            } catch var error as HTTPClientError {
                error.attempts = attempt
                guard case .retry(let after) = retryPolicy.decision(error: error, attempt: attempt, idempotent: request.isIdempotent) else {
                    throw error
                }
                delay = after
            }
            try await Task.sleep(for: delay)
        }
    }

    /// The number of transfers currently inside libcurl, for tests and metrics.
    public var transfersInFlight: Int {
        engine.activeTransferCount.load(ordering: .relaxed)
    }

    /// Returns the limiter of a host key, creating it on first use.
    func limiter(for key: String) -> AsyncSemaphore {
        limiters.withLock { limiters in
            if let existing = limiters[key] { return existing }
            let created = AsyncSemaphore(permits: configuration.maximumConcurrentRequestsPerHost)
            limiters[key] = created
            return created
        }
    }

    private func attemptOnce(_ request: HTTPRequest, target: RequestTarget, clock: ContinuousClock) async throws -> HTTPResponse {
        let transfer = Transfer(
            request: request,
            target: target,
            maximumResponseBytes: request.maximumResponseBytes ?? configuration.maximumResponseBytes
        )
        let engine = engine
        let start = clock.now
        var response = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.start(continuation, engine: engine)
            }
        } onCancel: {
            transfer.cancel(engine: engine)
        }
        response.metrics.lastAttemptDuration = clock.now - start
        return response
    }

    private static func wallClockEpochSeconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }
}
