/// What a driver wants to do with one symbol.
public enum DecisionAction: String, Sendable, Hashable, Codable, CaseIterable {
    case openLong = "open_long"
    case openShort = "open_short"
    case close
    case hold
    /// Bring the position to `targetSize` coins (signed: negative is short) in one netted order.
    /// For rule-based drivers that keep several virtual legs on one venue position; models are
    /// not offered it.
    case rebalance
}

/// How big a new position should be.
public enum DecisionSize: Sendable, Hashable {
    /// Notional in USD.
    case usd(FixedDecimal)
    /// A fraction (0...1) of the account's equity, as notional before leverage.
    case equityFraction(FixedDecimal)
}

/// A driver's instruction for one symbol.
public struct SymbolDecision: Sendable, Hashable {
    public var symbol: Symbol
    public var action: DecisionAction
    /// Required for `open_long` and `open_short`.
    public var size: DecisionSize?
    /// Required for `rebalance`: the signed position, in coins, to end with.
    public var targetSize: FixedDecimal?
    public var leverage: Int?
    public var takeProfit: FixedDecimal?
    public var stopLoss: FixedDecimal?
    /// A stop that follows the price at this distance, placed with the entry's other exits.
    public var trailingStop: TrailingDistance?
    /// A condition under which the driver's thesis no longer holds, in its own words.
    public var invalidationCondition: String?
    /// 0...1.
    public var confidence: FixedDecimal?
    public var justification: String

    public init(symbol: Symbol, action: DecisionAction, size: DecisionSize? = nil, targetSize: FixedDecimal? = nil, leverage: Int? = nil,
                takeProfit: FixedDecimal? = nil, stopLoss: FixedDecimal? = nil, invalidationCondition: String? = nil,
                confidence: FixedDecimal? = nil, justification: String, trailingStop: TrailingDistance? = nil) {
        self.trailingStop = trailingStop
        self.symbol = symbol
        self.action = action
        self.size = size
        self.targetSize = targetSize
        self.leverage = leverage
        self.takeProfit = takeProfit
        self.stopLoss = stopLoss
        self.invalidationCondition = invalidationCondition
        self.confidence = confidence
        self.justification = justification
    }
}

/// A driver's whole answer for one cycle: an instruction per symbol it wants to act on.
public struct Decision: Sendable, Hashable {
    public var instructions: [SymbolDecision]
    /// Free-form reasoning the driver gave (a model's chain of thought, a rule's explanation).
    public var reasoning: String?

    public init(instructions: [SymbolDecision], reasoning: String? = nil) {
        self.instructions = instructions
        self.reasoning = reasoning
    }

    /// A decision that does nothing.
    public static func holdAll(_ reason: String) -> Decision { Decision(instructions: [], reasoning: reason) }
}
