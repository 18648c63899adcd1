import Glibc
import HTTP

/// How the clients talk to the venue: JSON POSTs through the shared libcurl client, each paying
/// its weight to the shared limiter first, with backoff on 429.
public struct HyperliquidTransportConfiguration: Sendable {
    /// The longest one attempt may take.
    public var requestTimeout: Duration
    /// The longest establishing a connection may take.
    public var connectTimeout: Duration
    /// The largest answer accepted.
    public var maximumResponseBytes: Int
    /// Attempts, backoff and `Retry-After` handling; only for what is safe to repeat.
    public var retryPolicy: RetryPolicy

    /// Creates a configuration.
    public init(requestTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5),
                maximumResponseBytes: Int = 16 << 20, retryPolicy: RetryPolicy = RetryPolicy(maximumAttempts: 4)) {
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.retryPolicy = retryPolicy
    }
}

/// Sends JSON bodies to the venue; shared by the info and exchange clients.
struct HyperliquidTransport: Sendable {
    let http: HTTPClient
    let limiter: RequestWeightLimiter
    let configuration: HyperliquidTransportConfiguration

    /// What may be repeated after an attempt that got no answer.
    enum Repetition {
        /// A read: repeat after any failure that `HTTPClientError` deems retryable.
        case whenIdempotent
        /// A signed action: repeat only when nothing was sent; an attempt that may have arrived is
        /// handed back as an unclear outcome for the caller to resolve.
        case onlyWhenNothingWasSent
    }

    /// POSTs `body` to `url` and returns the 200 answer's body.
    /// - Throws: `HyperliquidClientError` (`rateLimited`, `httpStatus`, `transport`) or
    ///   `CancellationError`.
    func post(url: String, body: [UInt8], weight: Int, repetition: Repetition) async throws -> [UInt8] {
        let request = HTTPRequest(
            method: .post, url: url, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body,
            timeout: configuration.requestTimeout, connectTimeout: configuration.connectTimeout,
            maximumResponseBytes: configuration.maximumResponseBytes,
            isIdempotent: repetition == .whenIdempotent)
        let policy = configuration.retryPolicy
        var attempt = 0
        while true {
            attempt += 1
            try await limiter.acquire(weight: weight)
            let response: HTTPResponse
            do {
                response = try await http.execute(request)
            } catch let error as HTTPClientError {
                let mayHaveArrived = error.requestMayHaveReachedServer
                let repeatable = switch repetition {
                case .whenIdempotent: error.isRetryable(idempotent: true)
                case .onlyWhenNothingWasSent: !mayHaveArrived && error.isRetryable(idempotent: false)
                }
                guard repeatable, case .retry(let delay) = policy.decision(error: error, attempt: attempt, idempotent: true) else {
                    throw HyperliquidClientError.transport(error, mayHaveReachedVenue: mayHaveArrived && repetition == .onlyWhenNothingWasSent)
                }
                try await Task.sleep(for: delay)
                continue
            }
            if response.status == 200 { return response.body }
            let decision = policy.decision(status: response.status, retryAfter: response.headers["Retry-After"], attempt: attempt,
                                           idempotent: repetition == .whenIdempotent, nowEpochSeconds: Int64(time(nil)))
            if response.status == 429 {
                // The venue refused before acting, so repeating is safe for actions too.
                guard case .retry(let delay) = decision else { throw HyperliquidClientError.rateLimited }
                limiter.penalize(cooldown: delay)
                try await Task.sleep(for: delay)
                continue
            }
            if case .retry(let delay) = decision, repetition == .whenIdempotent {
                try await Task.sleep(for: delay)
                continue
            }
            throw HyperliquidClientError.httpStatus(response.status, detail: Self.detail(of: response.body))
        }
    }

    /// The start of an error body, printable characters only, for messages.
    static func detail(of body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
