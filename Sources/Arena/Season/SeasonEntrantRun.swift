import ArenaCore

/// One entrant's outcome in one repeat of a season: what the season runner measures and what the
/// statistics (`results.json`) and the report are computed from.
public struct SeasonEntrantRun: Sendable, Hashable, Codable {
    /// A point of the equity curve.
    public struct EquityPoint: Sendable, Hashable, Codable {
        /// Market time.
        public var time: Timestamp
        public var equity: FixedDecimal

        public init(time: Timestamp, equity: FixedDecimal) {
            self.time = time
            self.equity = equity
        }
    }

    /// The entrant's name: a model's prompt variant is `MODEL/VARIANT` (`deepseek/cautious`), a
    /// baseline its own name (`hold-btc`).
    public var entrant: String
    /// The model an entrant's variant belongs to (`deepseek`), for the aggregate over variants;
    /// nil for baselines.
    public var model: String?
    /// The prompt variant (`default`, `cautious`, `aware`, `max_leverage`); nil for baselines.
    public var variant: String?
    /// 0-based index of the repeat.
    public var repeatIndex: Int
    /// The seed of the engine's randomness in this repeat.
    public var seed: UInt64
    /// Why this repeat of this entrant failed (a provider down, answers missing on a rerun); a
    /// failed run is reported, never averaged in. Nil when it completed.
    public var failure: String?
    public var initialCapital: FixedDecimal
    /// Equity at the start and at every whole hour of market time, in order.
    public var hourlyEquity: [EquityPoint]
    /// The realized PnL (after fees) of each closed trade, in order of closing.
    public var closedTradePnL: [FixedDecimal]
    /// Fees paid.
    public var fees: FixedDecimal
    /// What the model calls cost (USD).
    public var modelCostUSD: FixedDecimal
    public var decisions: Int
    /// Decisions that did not produce a usable answer.
    public var failedDecisions: Int

    public init(entrant: String, model: String?, variant: String?, repeatIndex: Int, seed: UInt64, failure: String?,
                initialCapital: FixedDecimal, hourlyEquity: [EquityPoint], closedTradePnL: [FixedDecimal], fees: FixedDecimal,
                modelCostUSD: FixedDecimal, decisions: Int, failedDecisions: Int) {
        self.entrant = entrant
        self.model = model
        self.variant = variant
        self.repeatIndex = repeatIndex
        self.seed = seed
        self.failure = failure
        self.initialCapital = initialCapital
        self.hourlyEquity = hourlyEquity
        self.closedTradePnL = closedTradePnL
        self.fees = fees
        self.modelCostUSD = modelCostUSD
        self.decisions = decisions
        self.failedDecisions = failedDecisions
    }
}
