import ArenaCore
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
    /// The limiter's lane this transport's requests wait in: `.trading` unless a background
    /// reader (the trader tracker) says otherwise.
    public var lane: RequestLane = .trading

    /// Creates a configuration.
    public init(requestTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5),
                maximumResponseBytes: Int = 16 << 20, retryPolicy: RetryPolicy = RetryPolicy(maximumAttempts: 4)) {
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.retryPolicy = retryPolicy
    }
}

/// Sends JSON bodies to the venue; shared by the info and exchange clients. Every attempt is
/// reported to the observer, when there is one, before its answer is acted on.
struct HyperliquidTransport: Sendable {
    let http: HTTPClient
    let limiter: RequestWeightLimiter
    let configuration: HyperliquidTransportConfiguration
    /// Where each attempt is reported, for the audit trail.
    var observer: (any VenueRequestObserver)?
    /// The address that signs this transport's exchange requests, for the reports.
    var signerAddress: EthereumAddress?
    /// Stamps the reports.
    var clock: any WallClock = SystemClock()

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
        let audit = observer.map { _ in AuditedRequest(url: url, body: body) }
        while true {
            attempt += 1
            try await limiter.acquire(weight: weight, lane: configuration.lane)
            let response: HTTPResponse
            let started = (wall: clock.now(), monotonic: ContinuousClock.now)
            do {
                response = try await http.execute(request)
                report(audit, attempt: attempt, started: started, response: response, failure: nil)
            } catch let error as HTTPClientError {
                report(audit, attempt: attempt, started: started, response: nil, failure: "\(error)")
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

    /// What a request's reports share, read once from the body sent.
    struct AuditedRequest {
        let endpoint: String
        let fields: (type: String?, clientOrderIDs: [String], nonce: UInt64?, vault: String?, signatureHash: String?)

        init(url: String, body: [UInt8]) {
            endpoint = url.split(separator: "/").last.map(String.init) ?? url
            fields = VenueRequestSummary.request(body)
        }
    }

    /// Reports one attempt to the observer.
    private func report(_ audit: AuditedRequest?, attempt: Int, started: (wall: Timestamp, monotonic: ContinuousClock.Instant),
                        response: HTTPResponse?, failure: String?) {
        guard let observer, let audit else { return }
        let elapsed = ContinuousClock.now - started.monotonic
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        var venueStatus: String?
        var errorText = failure.map(VenueRequestSummary.clip)
        if let response {
            if audit.endpoint == "exchange" || response.status != 200 {
                (venueStatus, errorText) = VenueRequestSummary.exchangeAnswer(response.body)
            }
            if response.status != 200, errorText == nil { errorText = "HTTP \(response.status)" }
        }
        let isSigned = audit.fields.signatureHash != nil
        observer.venueRequestFinished(VenueRequestReport(
            time: started.wall, endpoint: audit.endpoint, actionType: audit.fields.type, clientOrderIDs: audit.fields.clientOrderIDs,
            nonce: audit.fields.nonce, signerAddress: isSigned ? signerAddress?.lowercaseHex : nil, vaultAddress: audit.fields.vault,
            signatureHash: audit.fields.signatureHash, attempt: attempt, latencyMilliseconds: milliseconds,
            httpStatus: response?.status, venueStatus: venueStatus, errorText: errorText))
    }

    /// The start of an error body, printable characters only, for messages.
    static func detail(of body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
