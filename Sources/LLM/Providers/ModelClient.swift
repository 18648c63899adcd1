import HTTP
import JSONCore
import Synchronization

/// Calls models over one shared libcurl client, with a bounded number of calls in flight per
/// provider endpoint and retries (backoff with jitter, `Retry-After` on 429) on network errors,
/// 429 and 5xx.
///
/// One per process: every LLM account shares its connections and its per-endpoint limits.
public final class ModelClient: Sendable {
    /// The largest provider reply body accepted.
    public static let maximumReplyBytes = 4 * 1024 * 1024

    private let http: HTTPClient
    private let limiters = Mutex<[String: AsyncSemaphore]>([:])
    private let retryRandom: @Sendable () -> Double

    /// Creates a client and its curl thread.
    /// - Parameter retryRandom: The jitter source of retries; injectable for tests.
    /// - Throws: `LLMError.transport` when libcurl cannot start.
    public init(retryRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) throws {
        do {
            // The per-endpoint limit is ours (`maximumConcurrentRequests`); the client's own
            // per-host limit only has to stay out of its way.
            http = try HTTPClient(configuration: HTTPClientConfiguration(
                maximumConcurrentRequestsPerHost: 4096, maximumResponseBytes: Self.maximumReplyBytes,
                userAgent: "arena-llm/1", maximumIdleEasyHandles: 256, maximumCachedConnections: 1024))
        } catch {
            throw LLMError(.transport, "the HTTP client could not start: \(error)")
        }
        self.retryRandom = retryRandom
    }

    /// Stops the curl thread; calls in flight fail.
    public func shutdown() { http.shutdown() }

    /// The semaphore of one endpoint, created with `permits` on first use.
    func limiter(for key: String, permits: Int) -> AsyncSemaphore {
        limiters.withLock { limiters in
            if let existing = limiters[key] { return existing }
            let created = AsyncSemaphore(permits: permits)
            limiters[key] = created
            return created
        }
    }

    /// The wire format of a provider.
    static func format(for provider: ModelProvider) -> any ChatWireFormat {
        switch provider {
        case .openai, .local: OpenAIChatFormat()
        case .anthropic: AnthropicMessagesFormat()
        }
    }

    /// Sends one call (with retries) and reads the reply.
    /// - Parameters:
    ///   - request: The prompts and the output form.
    ///   - configuration: The account's model settings.
    /// - Returns: The model's reply.
    /// - Throws: `LLMError` (`transport`, `providerStatus`, `malformedReply`), never quoting the
    ///   key; `CancellationError` when the task is cancelled.
    public func complete(_ request: ChatRequest, configuration: ModelConfiguration) async throws -> ChatReply {
        let format = Self.format(for: configuration.provider)
        let baseURL: String
        do {
            baseURL = try await configuration.endpoint.baseURL()
        } catch let error as LLMError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw LLMError(.transport, "the model endpoint is not available: \(error)")
        }
        var headers = HTTPHeaders()
        for (name, value) in format.headers(apiKey: configuration.apiKey) { headers.add(name: name, value: value) }
        let body = format.body(for: request, configuration: configuration).serialized
        let hostKey = "llm \(configuration.provider.rawValue) \(baseURL)"
        let httpRequest = HTTPRequest(
            method: .post, url: baseURL + format.path, headers: headers, body: Array(body.utf8), timeout: configuration.timeout,
            connectTimeout: .seconds(10), maximumResponseBytes: Self.maximumReplyBytes,
            // A repeated model call costs tokens but changes nothing: safe to retry.
            isIdempotent: true, hostKey: hostKey)
        let policy = RetryPolicy(maximumAttempts: configuration.maximumAttempts, baseDelay: .milliseconds(500), maximumDelay: .seconds(8),
                                 maximumRetryAfter: .seconds(30), random: retryRandom)
        let limiter = limiter(for: hostKey, permits: configuration.maximumConcurrentRequests)
        let response: HTTPResponse
        do {
            response = try await limiter.withPermit { try await self.http.execute(httpRequest, retryPolicy: policy) }
        } catch let error as HTTPClientError {
            let attempts = error.attempts > 1 ? " after \(error.attempts) attempts" : ""
            throw LLMError(.transport, "the model provider did not answer\(attempts): \(scrub(error.message, configuration))")
        }
        let text = response.bodyText
        guard response.isSuccess else {
            let attempts = response.metrics.attempts > 1 ? " after \(response.metrics.attempts) attempts" : ""
            throw LLMError(.providerStatus, "the model provider answered HTTP \(response.status)\(attempts): \(Self.excerpt(scrub(text, configuration)))",
                           status: response.status)
        }
        let json: JSONValue
        do {
            var limits = JSONParser.Limits.modelOutput
            limits.maximumBytes = Self.maximumReplyBytes
            json = try JSONParser.parse(text, limits: limits)
        } catch {
            throw LLMError(.malformedReply, "the model provider's reply is not JSON (\(error.modelExplanation))")
        }
        return try format.reply(from: json)
    }

    private func scrub(_ text: String, _ configuration: ModelConfiguration) -> String {
        configuration.apiKey?.scrub(text) ?? text
    }

    /// The first 300 characters of a provider's error body, on one line.
    static func excerpt(_ text: String) -> String {
        let flat = String(text.prefix(300).map { $0.isNewline ? " " : $0 })
        return text.count > 300 ? flat + "..." : flat
    }
}
