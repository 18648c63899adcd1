import ArenaCore
import Drivers
import JSONCore
import Market
import Synchronization

/// The exit plan a model gave when it opened a position, shown back to it while the position lives.
public struct ExitPlan: Sendable, Hashable, Codable {
    public var takeProfit: FixedDecimal?
    public var stopLoss: FixedDecimal?
    public var invalidationCondition: String?

    /// Creates a plan.
    public init(takeProfit: FixedDecimal? = nil, stopLoss: FixedDecimal? = nil, invalidationCondition: String? = nil) {
        self.takeProfit = takeProfit
        self.stopLoss = stopLoss
        self.invalidationCondition = invalidationCondition
    }
}

// Listed by hand for the driver's stored state (`LLMDriver.PersistentState`).
extension ExitPlan: JSONMembersWritable {
    public func writeMembers(to members: JSONMembers) {
        members.add("takeProfit", takeProfit?.description)
        members.add("stopLoss", stopLoss?.description)
        members.add("invalidationCondition", invalidationCondition)
    }
}

/// Builds the values the prompt templates see, as Alpha Arena gave them to its models: per symbol
/// the mid, EMA20/50, MACD, RSI7/14, funding, open interest, a 3-minute series and 4-hour context;
/// the account's cash, equity, return, Sharpe ratio and positions with their exit plans; the time
/// since start and the call number; when the runtime gives one, the account's rank with its
/// rivals' returns and positions (`ranking`, which the `aware` prompt shows). Every series runs
/// oldest to newest.
///
/// Values are preformatted text (a template cannot format numbers); free text a model wrote
/// earlier (invalidation conditions) is passed JSON-quoted so it reads as data.
public enum PromptContext {
    /// Returns the template context.
    /// - Parameters:
    ///   - context: What the runner gives the driver.
    ///   - exitPlans: The plans of open positions, from the model's earlier decisions.
    ///   - sharpeRatio: The account's Sharpe ratio over its decisions so far, if known.
    ///   - cache: Where the per-symbol values of this market update are kept for other accounts;
    ///     nil to build them here.
    public static func make(_ context: DecisionContext, exitPlans: [Symbol: ExitPlan], sharpeRatio: Double?,
                            cache: SymbolPromptCache? = nil) -> [String: TemplateValue] {
        let account = context.account
        let minutes = max(0, (context.time.milliseconds - context.startedAt.milliseconds) / 60_000)
        var values: [String: TemplateValue] = [
            "account_name": .text(context.accountName),
            "time": .text(ISO8601.format(context.time)),
            "minutes_since_start": .text(String(minutes)),
            "call_number": .text(String(context.callNumber)),
            "universe": .text(context.symbols.map(\.name).joined(separator: ", ")),
            // For a prompt's example answer, which must name a symbol the account trades.
            "first_symbol": .text(context.symbols.first?.name ?? "BTC"),
            "max_leverage": .text(String(context.maxLeverage)),
            "minimum_order_usd": .text(Instrument.minimumOrderValue.description),
        ]
        // Room for what follows, so that the table is not rebuilt as it grows.
        values.reserveCapacity(12)
        values["symbols"] = .list(context.symbols.map { symbol in
            (cache?.values(for: symbol, in: context) ?? SymbolPromptValues(symbol, in: context)).value
        })

        let returnPercent = context.initialCapital.isPositive
            ? ((account.equity - context.initialCapital) * FixedDecimal(100) / context.initialCapital).rounded(decimals: 2) : .zero
        var accountValues: [String: TemplateValue] = [
            "cash": .text(money(account.cash)),
            "equity": .text(money(account.equity)),
            "available_margin": .text(money(account.availableMargin)),
            "margin_used": .text(money(account.marginUsed)),
            "unrealized_pnl": .text(money(account.unrealizedPnl)),
            "initial_capital": .text(money(context.initialCapital)),
            "return_pct": .text(returnPercent.description),
        ]
        accountValues.reserveCapacity(10)
        if let sharpeRatio, sharpeRatio.isFinite { accountValues["sharpe_ratio"] = .text(number(sharpeRatio, decimals: 3)) }
        let positions = account.positions.values.filter { !$0.isFlat }.sorted { $0.symbol < $1.symbol }
        accountValues["positions"] = .list(positions.map { .group(positionValues($0, context: context, plan: exitPlans[$0.symbol])) })
        accountValues["has_positions"] = .flag(!positions.isEmpty)
        values["account"] = .group(accountValues)
        if let outcome = context.lastOutcome { values["last_decision"] = .group(feedbackValues(outcome)) }
        if let ranking = context.ranking { values["ranking"] = .group(rankingValues(ranking)) }
        return values
    }

    /// The account's rank and its rivals (the `aware` prompt). Rival names were chosen by
    /// operators, so they are passed JSON-quoted, as data.
    static func rankingValues(_ ranking: ArenaRanking) -> [String: TemplateValue] {
        [
            "rank": .text(String(ranking.rank)),
            "accounts": .text(String(ranking.accountCount)),
            "has_rivals": .flag(!ranking.rivals.isEmpty),
            "rivals": .list(ranking.rivals.map { rival in
                .group([
                    "rank": .text(String(rival.rank)),
                    "name": .text(JSONValue.quote(rival.name)),
                    "return_pct": .text(number(rival.returnPercent, decimals: 2)),
                    "has_positions": .flag(!rival.positions.isEmpty),
                    "positions": .list(rival.positions.map { position in
                        .group([
                            "symbol": .text(position.symbol.name),
                            "side": .text(position.size.isPositive ? "long" : "short"),
                            "size": .text(position.size.magnitude.description),
                            "entry_price": .text(price(position.entryPrice)),
                            "leverage": .text(String(position.leverage)),
                        ])
                    }),
                ])
            }),
        ]
    }

    /// The previous decision's outcome. Its reason may quote the model's own answer, so it is
    /// passed JSON-quoted, as data.
    static func feedbackValues(_ outcome: DecisionFeedback) -> [String: TemplateValue] {
        let words: String
        switch outcome.result {
        case .filled: words = "filled"
        case .partiallyFilled: words = "partly filled"
        case .notFilled: words = "sent, but nothing filled"
        case .held: words = "no order (hold)"
        case .refused: words = "refused by the risk checks; nothing was sent"
        case .failed: words = "not executed: your answer could not be used or the call failed"
        }
        var values: [String: TemplateValue] = [
            "call_number": .text(String(outcome.callNumber)),
            "time": .text(ISO8601.format(outcome.time)),
            "result": .text(outcome.result.rawValue),
            "result_words": .text(words),
            "orders": .list(outcome.orders.map { .group(["line": .text($0)]) }),
            "has_orders": .flag(!outcome.orders.isEmpty),
        ]
        if let reason = outcome.reason { values["reason"] = .text(JSONValue.quote(DecisionParser.clean(reason, limit: 600))) }
        return values
    }

    static func symbolValues(_ symbol: Symbol, quote: Quote?, indicators: SymbolIndicators?) -> [String: TemplateValue] {
        var values: [String: TemplateValue] = [:]
        values.reserveCapacity(20)
        values["symbol"] = .text(symbol.name)
        if let quote {
            values["mid"] = .text(price(quote.mid))
            values["mark"] = .text(price(quote.mark))
            values["funding_rate"] = .text(quote.fundingRate.description)
        }
        guard let indicators else {
            values["has_indicators"] = .flag(false)
            return values
        }
        values["has_indicators"] = .flag(true)
        values["mid"] = .text(price(indicators.mid))
        values["funding_rate"] = .text(indicators.fundingRate.description)
        if let openInterest = indicators.openInterest {
            values["open_interest"] = .text(openInterest.rounded(decimals: 2).description)
        }
        // Always set, so that the section reads nothing outside the symbol and renders once per
        // market update (`SharedTemplateGroup`); false hides it as a missing name did.
        values["has_open_interest"] = .flag(indicators.openInterest != nil)
        values["average_open_interest"] = .text(indicators.averageOpenInterest.map { $0.rounded(decimals: 2).description } ?? "n/a")
        let scale = priceDecimals(indicators.mid)
        let intraday = indicators.intraday
        let latest = intraday.latest
        values["ema20"] = .text(latest.map { number($0.ema20, decimals: scale) } ?? "n/a")
        values["ema50"] = .text(latest.map { number($0.ema50, decimals: scale) } ?? "n/a")
        values["macd"] = .text(latest.map { number($0.macd, decimals: scale) } ?? "n/a")
        values["rsi7"] = .text(optional(latest?.rsi7, decimals: 2))
        values["rsi14"] = .text(optional(latest?.rsi14, decimals: 2))
        values["intraday"] = .group([
            "interval": .text(intraday.interval.name),
            "candles": .text(String(intraday.candleCount)),
            "mids": .text(list(intraday.closes.map { price($0) })),
            "ema20": .text(list(intraday.ema20.map { number($0, decimals: scale) })),
            "macd": .text(list(intraday.macd.map { number($0, decimals: scale) })),
            "rsi7": .text(list(intraday.rsi7.map { optional($0, decimals: 2) })),
            "rsi14": .text(list(intraday.rsi14.map { optional($0, decimals: 2) })),
        ])
        let longTerm = indicators.longTerm
        values["long_term"] = .group([
            "interval": .text(longTerm.interval.name),
            "candles": .text(String(longTerm.candleCount)),
            "macd": .text(list(longTerm.macd.map { number($0, decimals: scale) })),
            "rsi14": .text(list(longTerm.rsi14.map { optional($0, decimals: 2) })),
            "current_volume": .text(longTerm.currentVolume.rounded(decimals: 3).description),
            "average_volume": .text(longTerm.averageVolume.map { $0.rounded(decimals: 3).description } ?? "n/a"),
            // Always set: a missing key would make the template read the intraday value of the
            // same name from the enclosing context.
            "ema20": .text(longTerm.latest.map { number($0.ema20, decimals: scale) } ?? "n/a"),
            "ema50": .text(longTerm.latest.map { number($0.ema50, decimals: scale) } ?? "n/a"),
            "atr3": .text(optional(longTerm.latest?.atr3, decimals: scale)),
            "atr14": .text(optional(longTerm.latest?.atr14, decimals: scale)),
        ])
        return values
    }

    private static func positionValues(_ position: Position, context: DecisionContext, plan: ExitPlan?) -> [String: TemplateValue] {
        let mark = context.market[position.symbol]?.mark ?? position.entryPrice
        var values: [String: TemplateValue] = [
            "symbol": .text(position.symbol.name),
            "side": .text(position.size.isPositive ? "long" : "short"),
            "size": .text(position.size.magnitude.description),
            "entry_price": .text(price(position.entryPrice)),
            "mark_price": .text(price(mark)),
            "notional": .text(money(position.notional(at: mark))),
            "unrealized_pnl": .text(money(position.unrealizedPnl(at: mark))),
            "leverage": .text(String(position.leverage)),
        ]
        values.reserveCapacity(13)
        values["liquidation_price"] = .text(liquidationPrice(of: position, mark: mark, context: context).map { price($0) } ?? "none")
        if let plan {
            values["take_profit"] = .text(plan.takeProfit.map { price($0) } ?? "none")
            values["stop_loss"] = .text(plan.stopLoss.map { price($0) } ?? "none")
            values["invalidation_condition"] = .text(plan.invalidationCondition.map { JSONValue.quote($0) } ?? "none")
        }
        values["has_exit_plan"] = .flag(plan != nil)
        return values
    }

    /// The mark at which the account would fall to maintenance margin if only this position's
    /// price moved (cross margin, other positions at their marks); nil when no positive price does.
    static func liquidationPrice(of position: Position, mark: FixedDecimal, context: DecisionContext) -> FixedDecimal? {
        let account = context.account
        var otherMaintenance = 0.0
        for other in account.positions.values where other.symbol != position.symbol && !other.isFlat {
            let otherMark = context.market[other.symbol]?.mark ?? other.entryPrice
            let instrument = context.instrument(other.symbol)
            otherMaintenance += MarginRules.maintenanceMargin(notional: other.notional(at: otherMark), maxLeverage: instrument.maxLeverage).doubleValue
        }
        let size = position.size.doubleValue
        let rate = 1 / Double(2 * max(1, context.instrument(position.symbol).maxLeverage))
        let equityWithoutThis = account.equity.doubleValue - position.unrealizedPnl(at: mark).doubleValue
        let denominator = size - abs(size) * rate
        guard denominator != 0 else { return nil }
        let liquidation = (otherMaintenance - equityWithoutThis + position.entryPrice.doubleValue * size) / denominator
        guard liquidation.isFinite, liquidation > 0 else { return nil }
        return FixedDecimal(approximating: liquidation)
    }

    // MARK: Formatting

    /// Decimals that show a price to about six significant figures.
    static func priceDecimals(_ value: FixedDecimal) -> Int {
        let magnitude = value.magnitude
        if magnitude >= FixedDecimal(10_000) { return 1 }
        if magnitude >= FixedDecimal(100) { return 2 }
        if magnitude >= FixedDecimal(1) { return 4 }
        return 6
    }

    static func price(_ value: FixedDecimal) -> String { value.rounded(decimals: priceDecimals(value)).description }

    static func money(_ value: FixedDecimal) -> String { value.rounded(decimals: 2).description }

    static func number(_ value: Double, decimals: Int) -> String {
        guard let decimal = FixedDecimal(approximating: value) else { return value.isFinite ? String(value) : "n/a" }
        return decimal.rounded(decimals: decimals).description
    }

    static func optional(_ value: Double?, decimals: Int) -> String {
        value.map { number($0, decimals: decimals) } ?? "n/a"
    }

    static func list(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }
}

/// One symbol's part of the prompt context (prices, funding, indicators and series). It depends
/// on the market alone, never on the account, so one market update needs it built only once.
public struct SymbolPromptValues: Sendable {
    /// The quote's fields the values were built from.
    let mid: FixedDecimal?, mark: FixedDecimal?, fundingRate: FixedDecimal?
    /// The indicators the values were built from.
    let indicators: SymbolIndicators?
    /// The values, shared by every account that decides on this market update.
    let value: TemplateValue

    /// Builds the values of `symbol` from the context's market and indicators.
    init(_ symbol: Symbol, in context: DecisionContext) {
        let quote = context.market[symbol]
        mid = quote?.mid
        mark = quote?.mark
        fundingRate = quote?.fundingRate
        indicators = context.indicators[symbol]
        // Shared: every account deciding on this update reads the same symbol sections, so each
        // template renders them once (`SharedTemplateGroup`).
        value = .shared(SharedTemplateGroup(PromptContext.symbolValues(symbol, quote: quote, indicators: indicators)))
    }

    /// Whether these values were built from the same market as `context` shows for `symbol`.
    func isCurrent(for symbol: Symbol, in context: DecisionContext) -> Bool {
        let quote = context.market[symbol]
        // Accounts deciding on one update share the indicators' storage, so this is quick.
        return quote?.mid == mid && quote?.mark == mark && quote?.fundingRate == fundingRate && context.indicators[symbol] == indicators
    }
}

/// Keeps each symbol's prompt values of the newest market update, so that the accounts deciding
/// on that update format prices, indicators and series once between them instead of once each.
/// Values are reused only for a context that shows exactly the market they were built from.
public final class SymbolPromptCache: Sendable {
    private let entries = Mutex<[Symbol: SymbolPromptValues]>([:])

    /// Creates an empty cache.
    public init() {}

    /// Returns the values of `symbol` for `context`, building and keeping them if the kept ones
    /// were built from another market.
    func values(for symbol: Symbol, in context: DecisionContext) -> SymbolPromptValues {
        if let kept = entries.withLock({ $0[symbol] }), kept.isCurrent(for: symbol, in: context) { return kept }
        let built = SymbolPromptValues(symbol, in: context)
        entries.withLock { $0[symbol] = built }
        return built
    }
}
