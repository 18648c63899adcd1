import ArenaCore
import Market

/// Everything a driver sees when it decides: the market and its own account.
public struct DecisionContext: Sendable {
    public var accountID: AccountID
    public var accountName: String
    public var time: Timestamp
    /// When the account started trading, for "time since start".
    public var startedAt: Timestamp
    /// 1 for the first call of this account, then 2, 3, ...
    public var callNumber: Int
    /// The account's trading universe.
    public var symbols: [Symbol]
    public var market: MarketSnapshot
    public var account: AccountState
    public var initialCapital: FixedDecimal
    /// The highest leverage the account may use (its risk limit, itself at most the venue's).
    public var maxLeverage: Int
    public var instruments: [Symbol: Instrument]
    /// Candles and indicators per symbol, computed once per market update and shared by every
    /// account; empty when the runtime keeps none.
    public var indicators: [Symbol: SymbolIndicators]
    /// What became of the account's previous decision; nil before its first.
    public var lastOutcome: DecisionFeedback?
    /// The account's rank and its rivals at this market step; nil where the runtime gives none.
    public var ranking: ArenaRanking?

    public init(accountID: AccountID, accountName: String, time: Timestamp, startedAt: Timestamp, callNumber: Int,
                symbols: [Symbol], market: MarketSnapshot, account: AccountState, initialCapital: FixedDecimal,
                maxLeverage: Int, instruments: [Symbol: Instrument], indicators: [Symbol: SymbolIndicators] = [:],
                lastOutcome: DecisionFeedback? = nil, ranking: ArenaRanking? = nil) {
        self.ranking = ranking
        self.accountID = accountID
        self.accountName = accountName
        self.time = time
        self.startedAt = startedAt
        self.callNumber = callNumber
        self.symbols = symbols
        self.market = market
        self.account = account
        self.initialCapital = initialCapital
        self.maxLeverage = maxLeverage
        self.instruments = instruments
        self.indicators = indicators
        self.lastOutcome = lastOutcome
    }

    /// The instrument for `symbol`, falling back to the built-in defaults.
    public func instrument(_ symbol: Symbol) -> Instrument { instruments[symbol] ?? Instrument.defaultInstrument(for: symbol) }
}

/// A driver's answer with what the record needs: the decision and how it came about.
public struct DriverOutput: Sendable {
    public var decision: Decision
    /// The rendered prompt, for model drivers.
    public var prompt: String?
    /// The provider's raw response, or a rule's explanation.
    public var rawResponse: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var costUSD: FixedDecimal?
    /// Something an operator must see about this decision (a copied trader's data gone stale),
    /// recorded as an `alert` feed message with the decision.
    public var alert: DriverAlert?

    public init(decision: Decision, prompt: String? = nil, rawResponse: String? = nil, promptTokens: Int? = nil,
                completionTokens: Int? = nil, costUSD: FixedDecimal? = nil, alert: DriverAlert? = nil) {
        self.alert = alert
        self.decision = decision
        self.prompt = prompt
        self.rawResponse = rawResponse
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
    }
}

/// An alert a driver raises with a decision: its kind (`trader_stale`, ...) and what to tell the operator.
public struct DriverAlert: Sendable, Hashable {
    /// The alert's kind, as webhooks and the feed show it.
    public var kind: String
    /// What happened and what to do, in full words.
    public var message: String

    public init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Why a driver could not decide this cycle.
public struct DriverError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What a decision actually did on the venue: fills may be smaller than asked, orders may be
/// refused. Stateful drivers reconcile their state from this, never from what they asked for.
public struct ExecutionReport: Sendable {
    public var decision: Decision
    /// Every order the decision caused, in its final or resting state.
    public var orders: [Order]
    public var fills: [Fill]
    /// The account after the orders.
    public var account: AccountState
    public var time: Timestamp
    /// Set when the risk gate refused the whole decision.
    public var rejectionReason: String?

    public init(decision: Decision, orders: [Order], fills: [Fill], account: AccountState, time: Timestamp, rejectionReason: String?) {
        self.decision = decision
        self.orders = orders
        self.fills = fills
        self.account = account
        self.time = time
        self.rejectionReason = rejectionReason
    }
}

/// The prompts a model driver would send for a context, for operators to read.
public struct PromptPreview: Sendable, Hashable {
    /// The system prompt.
    public var system: String
    /// The user prompt.
    public var user: String

    /// Creates a preview.
    public init(system: String, user: String) {
        self.system = system
        self.user = user
    }
}

/// What decides an account's trades: a model over HTTP or a rule-based baseline.
///
/// A driver only proposes: its `Decision` goes through the risk gate and the executor like every
/// other account's, so all drivers compete on the same terms.
public protocol Driver: Sendable {
    /// The kind stored with each decision (`buy_and_hold`, `random`, `llm`, ...).
    var kind: String { get }
    /// The model provider, for model drivers.
    var provider: String? { get }
    /// The model name, for model drivers.
    var model: String? { get }
    /// Decides for one cycle.
    /// - Throws: `DriverError` (or a transport error) when no decision could be made; the cycle is
    ///   recorded as failed and nothing trades.
    func decide(_ context: DecisionContext) async throws -> DriverOutput
    /// Learns what the last decision did. Called after every decision that was not a failure.
    func reconcile(_ report: ExecutionReport) async
    /// The driver's state as JSON text, saved with the account after every decision so that a
    /// restart resumes it exactly; nil for stateless drivers.
    func persistentState() async -> String?
    /// The runner has stored the decision `reconcile` reported, with what its orders changed and
    /// `persistentState` (or failed to): the end of the decision's own work, for measuring it.
    func decisionStored() async
    /// Returns the prompts a decision for `context` would send, without calling anything or
    /// changing the driver's state; nil for drivers without prompts.
    /// - Throws: When the prompt cannot be rendered.
    func previewPrompt(_ context: DecisionContext) async throws -> PromptPreview?
}

extension Driver {
    public var provider: String? { nil }
    public var model: String? { nil }
    public func reconcile(_ report: ExecutionReport) async {}
    public func persistentState() async -> String? { nil }
    public func decisionStored() async {}
    public func previewPrompt(_ context: DecisionContext) async throws -> PromptPreview? { nil }
}
