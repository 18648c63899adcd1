/// Which API a model is called through.
public enum ModelProvider: String, Sendable, Hashable, Codable, CaseIterable {
    /// OpenAI's chat completions, as OpenAI, DeepSeek, Qwen, xAI, OpenRouter, Ollama, vLLM and
    /// llama.cpp servers speak it.
    case openai
    /// Anthropic's messages API.
    case anthropic
    /// The bundled small model (SmolLM2 behind llama.cpp's OpenAI-compatible server), started by
    /// the arena on 127.0.0.1.
    case local
}

/// How the decision is asked for.
public enum StructuredOutput: String, Sendable, Hashable, Codable, CaseIterable {
    /// A forced tool call whose parameters are the decision's JSON schema.
    case tool
    /// `response_format: {"type": "json_object", "schema": ...}`: llama.cpp's constrained JSON
    /// (it refuses OpenAI's `json_schema` form).
    case jsonObject = "json_object"
    /// JSON in the message text, for models without tools.
    case text
}

/// Where a provider lives: a fixed URL, or one known only once a local server has started.
public enum ModelEndpoint: Sendable {
    /// A base URL such as `https://api.openai.com/v1`.
    case fixed(String)
    /// A base URL resolved before each call (starting the server on first use).
    case resolved(@Sendable () async throws -> String)

    /// Returns the base URL without a trailing slash.
    public func baseURL() async throws -> String {
        let url: String
        switch self {
        case .fixed(let value): url = value
        case .resolved(let resolve): url = try await resolve()
        }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// Everything needed to call one account's model.
public struct ModelConfiguration: Sendable {
    /// The API it speaks.
    public var provider: ModelProvider
    /// Where it lives.
    public var endpoint: ModelEndpoint
    /// The model name sent to the provider.
    public var model: String
    /// The key, if the provider needs one; never logged.
    public var apiKey: APIKey?
    /// Sampling temperature, 0 to 2.
    public var temperature: Double
    /// The most completion tokens per call.
    public var maximumTokens: Int
    /// The longest one HTTP attempt may take.
    public var timeout: Duration
    /// The prompt templates' name (`default` reads `default.system.mustache` and `default.user.mustache`).
    public var promptTemplate: String
    /// How the decision is asked for.
    public var structuredOutput: StructuredOutput
    /// The most calls in flight to this provider endpoint, over every account that uses it.
    public var maximumConcurrentRequests: Int
    /// Attempts per call on network errors, 429 and 5xx (counting the first).
    public var maximumAttempts: Int
    /// Which decision schema the model is sent (`compact` for small local models).
    public var schemaForm: DecisionSchemaForm = .full

    /// Creates a configuration.
    /// - Throws: `LLMError.invalidConfiguration` for values out of range.
    public init(provider: ModelProvider, endpoint: ModelEndpoint, model: String, apiKey: APIKey? = nil, temperature: Double = 0.2,
                maximumTokens: Int = 1024, timeout: Duration = .seconds(60), promptTemplate: String = "default",
                structuredOutput: StructuredOutput? = nil, maximumConcurrentRequests: Int? = nil, maximumAttempts: Int = 3) throws {
        guard !model.isEmpty, model.utf8.count <= 200, !model.utf8.contains(where: { $0 < 0x20 }) else {
            throw LLMError(.invalidConfiguration, "the model name must be 1 to 200 printable characters")
        }
        guard temperature.isFinite, (0...2).contains(temperature) else {
            throw LLMError(.invalidConfiguration, "temperature must be between 0 and 2")
        }
        guard (16...65_536).contains(maximumTokens) else { throw LLMError(.invalidConfiguration, "max_tokens must be 16 to 65536") }
        guard timeout >= .seconds(1), timeout <= .seconds(600) else {
            throw LLMError(.invalidConfiguration, "timeout_seconds must be 1 to 600")
        }
        guard PromptLibrary.isValidName(promptTemplate) else {
            throw LLMError(.invalidConfiguration, "the prompt name must be letters, digits, '-' or '_' (1 to 64)")
        }
        guard (1...10).contains(maximumAttempts) else { throw LLMError(.invalidConfiguration, "attempts must be 1 to 10") }
        if provider == .anthropic, structuredOutput == .jsonObject {
            throw LLMError(.invalidConfiguration, "Anthropic has no json_object response format; use tool or text")
        }
        self.provider = provider
        self.endpoint = endpoint
        self.model = model
        self.apiKey = apiKey
        self.temperature = temperature
        self.maximumTokens = maximumTokens
        self.timeout = timeout
        self.promptTemplate = promptTemplate
        self.structuredOutput = structuredOutput ?? (provider == .local ? .jsonObject : .tool)
        let concurrency = maximumConcurrentRequests ?? (provider == .local ? 1 : 64)
        guard (1...4096).contains(concurrency) else { throw LLMError(.invalidConfiguration, "max_concurrent_requests must be 1 to 4096") }
        self.maximumConcurrentRequests = concurrency
        self.maximumAttempts = maximumAttempts
    }

    /// The default base URL of a hosted provider.
    public static func defaultBaseURL(for provider: ModelProvider) -> String? {
        switch provider {
        case .openai: "https://api.openai.com/v1"
        case .anthropic: "https://api.anthropic.com/v1"
        case .local: nil
        }
    }
}
