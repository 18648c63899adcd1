import ArenaCore

/// A driver call that produced no usable decision but has a record worth keeping: the prompt
/// sent, what came back, and what it cost. The runner stores it with `outcome` and `reason`, and
/// nothing trades.
public struct DriverFailure: Error, CustomStringConvertible, Sendable {
    /// How the call ended.
    public enum Outcome: String, Sendable {
        /// The driver could not produce a decision (transport, unreadable answer).
        case failed
        /// A decision was read but broke a rule before it reached the risk gate.
        case rejected
    }

    public var outcome: Outcome
    /// Why, in full words and free of secrets.
    public var reason: String
    public var prompt: String?
    public var rawResponse: String?
    public var reasoning: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var costUSD: FixedDecimal?

    public init(outcome: Outcome, reason: String, prompt: String? = nil, rawResponse: String? = nil, reasoning: String? = nil,
                promptTokens: Int? = nil, completionTokens: Int? = nil, costUSD: FixedDecimal? = nil) {
        self.outcome = outcome
        self.reason = reason
        self.prompt = prompt
        self.rawResponse = rawResponse
        self.reasoning = reasoning
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
    }

    public var description: String { reason }
}
