import ArenaCore

/// Where a model driver's calls go: the shared `ModelClient` over HTTP by default, or a stand-in
/// that records or replays the calls (a season's responses file).
public protocol ModelTransport: Sendable {
    /// Sends one call and returns the reply.
    /// - Parameters:
    ///   - request: The prompts and the output form.
    ///   - configuration: The account's model settings.
    ///   - call: Which decision, and which call of it, this is.
    /// - Throws: `LLMError` as `ModelClient.complete` does; `CancellationError`.
    func complete(_ request: ChatRequest, configuration: ModelConfiguration, call: ModelCall) async throws -> ChatReply
}

/// Identifies one model call: the account, the market time of its decision, and its place among
/// that decision's calls (0 for the first; a repair or a fallback to text follow).
public struct ModelCall: Sendable, Hashable {
    public var account: AccountID
    public var marketTime: Timestamp
    public var index: Int

    public init(account: AccountID, marketTime: Timestamp, index: Int) {
        self.account = account
        self.marketTime = marketTime
        self.index = index
    }
}

extension ModelClient: ModelTransport {
    public func complete(_ request: ChatRequest, configuration: ModelConfiguration, call: ModelCall) async throws -> ChatReply {
        try await complete(request, configuration: configuration)
    }
}
