import ArenaCore
import Synchronization

/// What every model driver of a process shares: one HTTP client (created on first use), the
/// prompt templates, the price table and an optional observer of timings.
public final class LLMServices: Sendable {
    /// The prompt templates.
    public let prompts: PromptLibrary
    /// Prices per model.
    public let prices: PriceTable
    /// Told about each decision's timings (benchmarks, metrics); nil for none.
    public let observer: (any LLMDriverObserver)?
    /// The per-symbol prompt values of the newest market update, shared by every driver.
    public let promptCache = SymbolPromptCache()
    private let client = Mutex<ModelClient?>(nil)
    private let retryRandom: @Sendable () -> Double
    /// Where calls go instead of the HTTP client (a season's recording or replay); nil for the client.
    private let transportOverride: (any ModelTransport)?

    /// Creates the shared services.
    /// - Parameters:
    ///   - prompts: The prompt templates.
    ///   - prices: Prices per model.
    ///   - observer: Told about each decision's timings.
    ///   - retryRandom: The jitter source of retries; injectable for tests.
    ///   - transport: Where calls go instead of the HTTP client (a season records or replays them); nil for the client.
    public init(prompts: PromptLibrary, prices: PriceTable = .defaults, observer: (any LLMDriverObserver)? = nil,
                retryRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, transport: (any ModelTransport)? = nil) {
        self.transportOverride = transport
        self.prompts = prompts
        self.prices = prices
        self.observer = observer
        self.retryRandom = retryRandom
    }

    /// Returns the shared model client, starting it on first use.
    /// - Throws: `LLMError.transport` when libcurl cannot start.
    public func modelClient() throws -> ModelClient {
        try client.withLock { client in
            if let client { return client }
            let created = try ModelClient(retryRandom: retryRandom)
            client = created
            return created
        }
    }

    /// Where a driver's calls go: the transport given at creation, else the shared model client.
    /// - Throws: `LLMError.transport` when libcurl cannot start.
    public func transport() throws -> any ModelTransport {
        if let transportOverride { return transportOverride }
        return try modelClient()
    }

    /// Stops the HTTP client, if it was started; calls in flight fail.
    public func shutdown() {
        client.withLock { client in
            client?.shutdown()
        }
    }
}

/// Receives the timings of model decisions, for benchmarks and metrics. Called on the deciding
/// task: keep it quick.
public protocol LLMDriverObserver: Sendable {
    /// A decision call ended (with a decision or a failure).
    /// - Parameters:
    ///   - account: The account.
    ///   - marketTime: The market time the call was scheduled at.
    ///   - started: When `decide` began.
    ///   - ownWork: The time spent rendering the prompt and parsing and validating answers.
    ///   - finished: When `decide` returned or threw.
    ///   - succeeded: Whether a decision came out.
    func decisionEnded(account: AccountID, marketTime: Timestamp, started: ContinuousClock.Instant, ownWork: Duration,
                       finished: ContinuousClock.Instant, succeeded: Bool)
    /// The runner has gated, executed and stored the decision (`Driver.decisionStored`).
    func decisionReconciled(account: AccountID, at: ContinuousClock.Instant)
}
