import ArenaCore
import Storage

/// Every risk rule of one account behind one entry point, `evaluate`, that drivers' decisions and
/// operators' orders both pass: the venue's limits, the account's limits (`RiskGate`), the
/// kill switch, and the state that outlives a decision: the order-rate window, the daily-loss
/// baseline and the drawdown high-water mark.
///
/// Owned by the account's runner (an actor), so its state changes one call at a time. Executors
/// check nothing again: what passes here is what the account may send.
public struct RiskEngine: Sendable {
    /// What asks to trade.
    public enum Request: Sendable {
        /// A driver's decision: all of it passes or none.
        case decision(Decision)
        /// One operator's order, checked against the venue's rules first.
        case operatorOrder(GatedOrder)
    }

    /// What the engine knows of the account beyond its limits.
    public struct Account: Sendable {
        public var name: String
        public var status: AccountStatus
        public var symbols: [Symbol]
        public var state: AccountState

        public init(name: String, status: AccountStatus, symbols: [Symbol], state: AccountState) {
            self.name = name
            self.status = status
            self.symbols = symbols
            self.state = state
        }
    }

    private var gate: RiskGate
    private let tradingSwitch: TradingSwitch
    private let instruments: [Symbol: Instrument]
    /// Market times of the orders sent in the last minute, for the order-rate limit.
    private var recentOrderTimes: [Int64] = []
    /// The UTC day and the equity it started with, for the daily loss limit.
    private var dayStart: (day: Int64, equity: FixedDecimal)?
    /// The highest equity seen, from which the drawdown limit measures.
    public private(set) var highWaterMark: FixedDecimal?
    /// The UTC day the daily loss limit was reached (reported once), until a new day lifts it.
    private var dailyLossDay: Int64?

    /// Creates the engine of one account.
    /// - Parameters:
    ///   - highWaterMark: The high-water mark so far (from the stored equity statistics), used
    ///     when no risk state was stored.
    ///   - stored: The risk state stored by the previous run: its baseline and high-water mark win.
    ///   - tradingSwitch: The arena-wide kill switch.
    public init(limits: RiskLimits, instruments: [Symbol: Instrument], highWaterMark: FixedDecimal? = nil,
                stored: StoredRiskState? = nil, tradingSwitch: TradingSwitch = TradingSwitch()) {
        gate = RiskGate(limits: limits)
        self.instruments = instruments
        self.highWaterMark = stored?.highWaterMark ?? highWaterMark
        if let day = stored?.day, let equity = stored?.dayStartEquity { dayStart = (day, equity) }
        dailyLossDay = stored?.dailyLossDay
        self.tradingSwitch = tradingSwitch
    }

    /// The state a restart must get back: the day's baseline and the high-water mark.
    public var persistentState: StoredRiskState {
        StoredRiskState(day: dayStart?.day, dayStartEquity: dayStart?.equity, highWaterMark: highWaterMark, dailyLossDay: dailyLossDay)
    }

    /// Starts the drawdown measure again from `equity`: a resumed account is measured from the
    /// equity it was resumed at, not from the mark it had fallen from.
    public mutating func resetHighWaterMark(to equity: FixedDecimal) { highWaterMark = equity }

    /// The account's limits.
    public var limits: RiskLimits { gate.limits }

    /// Replaces the account's limits; the state it has gathered stays.
    public mutating func replaceLimits(_ limits: RiskLimits) { gate = RiskGate(limits: limits) }

    /// The instrument rules of `symbol` (the venue's, or the defaults for an unlisted one).
    public func instrument(_ symbol: Symbol) -> Instrument {
        instruments[symbol] ?? Instrument.defaultInstrument(for: symbol)
    }

    /// The verdict on a request: the orders to send, a hold, or a refusal with its reason.
    public mutating func evaluate(_ request: Request, account: Account, market: MarketSnapshot) -> RiskGate.Verdict {
        let context = context(account: account, market: market)
        switch request {
        case .decision(let decision):
            return gate.evaluate(decision, in: context)
        case .operatorOrder(let order):
            if let reason = venueRuleBroken(by: order, account: account) { return .rejected(reason) }
            return gate.check([order], in: context).map(RiskGate.Verdict.rejected) ?? .orders([order])
        }
    }

    /// Counts an order sent, for the order-rate limit.
    public mutating func noteOrderSent(at time: Timestamp) {
        recentOrderTimes.append(time.milliseconds)
    }

    /// Follows the account's equity at a market update: starts the UTC day's baseline and raises
    /// the high-water mark. Returns why the account must halt, when the drawdown limit is crossed.
    public mutating func observe(equity: FixedDecimal, at time: Timestamp, account: Account) -> String? {
        let day = time.milliseconds / 86_400_000
        if dayStart?.day != day { dayStart = (day, equity) }
        let mark = FixedDecimal.max(highWaterMark ?? equity, equity)
        highWaterMark = mark
        guard account.status == .active, let limit = gate.limits.max_drawdown_pct, mark.isPositive else { return nil }
        let drawdown = (mark - equity) * FixedDecimal(100) / mark
        guard drawdown >= limit else { return nil }
        return "\(account.name) reached its maximum drawdown of \(limit)% from the high-water mark \(mark.rounded(decimals: 2)); halted to reduce-only until an operator resumes it."
    }

    /// A change of the daily-loss halt, to store with who (the risk engine) and why.
    public enum DailyLossChange: Sendable, Hashable {
        /// The day's loss reached the limit: only reduce-only orders pass until the next UTC day.
        case reached(String)
        /// A new UTC day lifted the previous day's halt.
        case cleared(String)
    }

    /// After `observe`: whether the daily-loss halt began (first time this UTC day) or a new day
    /// lifted it. Each is reported once, also across restarts (the day is in the stored state).
    public mutating func dailyLossChange(equity: FixedDecimal) -> DailyLossChange? {
        guard let start = dayStart else { return nil }
        if let halted = dailyLossDay, halted != start.day {
            dailyLossDay = nil
            return .cleared("A new UTC day lifts the daily loss halt; the day's baseline is \(start.equity.rounded(decimals: 2)).")
        }
        guard dailyLossDay == nil, let limit = gate.limits.daily_loss_limit, start.equity - equity >= limit else { return nil }
        dailyLossDay = start.day
        return .reached("The daily loss limit of \(limit) USD is reached (equity \(equity.rounded(decimals: 2)) against \(start.equity.rounded(decimals: 2)) at the start of the UTC day); only reduce-only orders pass until the next UTC day.")
    }

    private mutating func context(account: Account, market: MarketSnapshot) -> RiskContext {
        let cutoff = market.time.milliseconds - 60_000
        recentOrderTimes.removeAll { $0 <= cutoff }
        let instruments = self.instruments
        return RiskContext(universe: account.symbols, account: account.state, market: market,
                           instruments: { instruments[$0] ?? Instrument.defaultInstrument(for: $0) },
                           reduceOnlyReason: reduceOnlyReason(account), blockedReason: tradingSwitch.haltReason,
                           ordersInLastMinute: recentOrderTimes.count)
    }

    /// Why only reduce-only orders may pass now, if so.
    private func reduceOnlyReason(_ account: Account) -> String? {
        if account.status == .halted { return "\(account.name) is halted." }
        let equity = account.state.equity
        if let limit = gate.limits.daily_loss_limit, let start = dayStart, start.equity - equity >= limit {
            return "The daily loss limit of \(limit) USD is reached (equity \(equity.rounded(decimals: 2)) against \(start.equity.rounded(decimals: 2)) at the start of the UTC day)."
        }
        return nil
    }

    /// The venue's and the account's rules an operator's order must meet before the gate's.
    private func venueRuleBroken(by order: GatedOrder, account: Account) -> String? {
        guard account.status != .archived else { return "The account is archived." }
        guard account.symbols.contains(order.symbol) else { return "\(order.symbol) is not in this account's universe." }
        let instrument = instrument(order.symbol)
        guard instrument.isValidSize(order.size) else {
            return "Size must be positive with at most \(instrument.sizeDecimals) decimals for \(order.symbol)."
        }
        if let limit = order.limit, !instrument.isValidPrice(limit.price) { return "Price must be divisible by tick size." }
        if let leverage = order.leverage, !(1...min(gate.limits.max_leverage, instrument.maxLeverage)).contains(leverage) {
            return "Leverage \(leverage)x is outside the account's limit."
        }
        return nil
    }
}
