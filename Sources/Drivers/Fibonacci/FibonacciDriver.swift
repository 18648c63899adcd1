import ArenaCore
import Foundation
import Synchronization

/// The Fibonacci hedge (seed 004, "HyperTrader Fibonacci hedging") as a rule-based baseline; the
/// rules are described in `docs/HEDGES.md`.
///
/// Each decision looks at the mid of its coin and runs the rules once. Every change of the legs
/// becomes its own `rebalance` instruction, in order, so a gap through several levels sends one
/// order per level. What comes back is reconciled from the fills: the steps whose target the
/// venue's position reached are kept, the first one it did not reach and every later one are
/// dropped, and the next decision takes them again.
public final class FibonacciDriver: Driver {
    /// What a decision asked for, kept until its execution report arrives.
    enum Pending: Sendable {
        case start(notional: FixedDecimal, target: FixedDecimal, leverage: Int, equity: FixedDecimal)
        case steps(FibonacciPlan, venueBefore: FixedDecimal, price: FixedDecimal)
    }

    struct Machine: Sendable {
        var state: FibonacciState
        var pending: Pending?
        var persisted = PersistedJSONMemo<FibonacciState>()
    }

    /// The settings it runs with.
    public let parameters: FibonacciParameters
    private let machine: Mutex<Machine>

    /// The coin it trades.
    public var symbol: Symbol { parameters.symbol }

    /// Creates the driver, resuming `persistedState` when the account has one.
    /// - Parameters:
    ///   - parameters: The account's settings; a restored cycle keeps its notional and leverage
    ///     until the next cycle starts.
    ///   - persistedState: The JSON `persistentState()` returned, or nil for a fresh start.
    /// - Throws: `DriverError` for settings out of range or a persisted state that cannot be read
    ///   or belongs to another coin.
    public init(parameters: FibonacciParameters, persistedState: String? = nil) throws {
        try parameters.validate()
        self.parameters = parameters
        var state = FibonacciState(symbol: parameters.symbol)
        if let persistedState {
            let restored = try Self.decode(persistedState)
            guard restored.symbol == parameters.symbol else {
                throw DriverError("The persisted Fibonacci state trades \(restored.symbol), not \(parameters.symbol).")
            }
            state = restored
        }
        machine = Mutex(Machine(state: state, pending: nil))
    }

    public var kind: String { "fibonacci" }

    /// The state now (the last reconciled one).
    public var state: FibonacciState { machine.withLock { $0.state } }

    public func decide(_ context: DecisionContext) async throws -> DriverOutput {
        guard let quote = context.market[symbol], quote.mid.isPositive else { throw DriverError("No price for \(symbol) yet.") }
        let price = quote.mid
        let instrument = context.instrument(symbol)
        let leverage = max(1, min(parameters.leverage, context.maxLeverage, instrument.maxLeverage))
        let venueSize = context.account.positions[symbol]?.size ?? .zero
        let parameters = self.parameters
        return try machine.withLock { machine in
            machine.pending = nil
            let state = machine.state
            guard state.started else {
                let margin = parameters.initialMargin
                guard margin <= context.account.availableMargin else {
                    throw DriverError("The initial margin of \(margin) USD is more than the account's available margin "
                        + "of \(context.account.availableMargin.rounded(decimals: 2)) USD.")
                }
                let notional = margin * FixedDecimal(leverage)
                let target = instrument.roundSize(notional / price)
                guard target * price >= Instrument.minimumOrderValue else {
                    throw DriverError("The opening long of \(notional) USD is below the venue's minimum order at \(price).")
                }
                let reason = "Start: buy long \(notional) USD notional (initial margin \(margin) USD at \(leverage)x), about \(target) \(symbol) "
                    + "at \(price); A = 1, B = 0, phase RIDING, swing low and high at the fill's average price, cycle \(state.cycle + 1)."
                machine.pending = .start(notional: notional, target: target, leverage: leverage, equity: context.account.equity)
                return Self.output([Self.rebalance(symbol, target: target, leverage: leverage, reason: reason)], reason: reason)
            }
            let equity = state.strategyEquity(initialMargin: parameters.initialMargin, accountEquity: context.account.equity)
            let plan = state.plan(price: price, parameters: parameters, instrument: instrument, equity: equity, leverage: leverage)
            guard !plan.steps.isEmpty else {
                machine.state = plan.marked
                var log = plan.log
                log.append("No leg change.")
                return Self.output([], reason: log.joined(separator: "\n"))
            }
            machine.pending = .steps(plan, venueBefore: venueSize, price: price)
            let instructions = plan.steps.map { Self.rebalance(symbol, target: $0.target, leverage: leverage, reason: $0.summary) }
            return Self.output(instructions, reason: plan.log.joined(separator: "\n"))
        }
    }

    public func reconcile(_ report: ExecutionReport) async {
        var filled = FixedDecimal.zero
        var traded = FixedDecimal.zero
        var value = FixedDecimal.zero
        for fill in report.fills where fill.symbol == symbol {
            filled += fill.side == .buy ? fill.size : -fill.size
            traded += fill.size
            value += fill.notional
        }
        let averagePrice: FixedDecimal? = traded.isPositive ? value / traded : nil
        machine.withLock { machine in
            guard let pending = machine.pending else { return }
            machine.pending = nil
            switch pending {
            case let .start(notional, target, leverage, equity):
                guard filled.isPositive, let averagePrice else {
                    machine.state.lastReconciliation = "Start not filled\(report.refusalClause); it is retried at the next decision."
                    return
                }
                var state = machine.state
                state.started = true
                state.enterRiding()
                state.cycle += 1
                state.swingLow = averagePrice
                state.swingHigh = averagePrice
                state.valley = .zero
                // A partly filled opening long scales N, so that the legs stand for what the venue holds.
                state.baseNotional = filled >= target ? notional : (notional * filled / target).rounded(decimals: 6)
                state.leverage = leverage
                state.equityBaseline = equity
                state.lastPrice = averagePrice
                state.lastRetracement = .zero
                state.lastReconciliation = "Start filled \(filled) of \(target) \(symbol) at an average \(averagePrice); N = \(state.baseNotional) USD."
                machine.state = state
            case let .steps(plan, venueBefore, price):
                let venueAfter = venueBefore + filled
                let done = report.rejectionReason == nil ? Self.stepsReached(plan, from: venueBefore, to: venueAfter, price: price) : 0
                var state = done == 0 ? plan.marked : plan.steps[done - 1].after
                var notes = ["Venue position \(venueBefore) -> \(venueAfter) \(symbol)."]
                notes += plan.steps.prefix(done).map { "Done: \($0.summary)" }
                if done < plan.steps.count {
                    notes.append("Not done\(report.refusalClause): \(plan.steps[done].summary); retried at the next decision.")
                }
                state.lastReconciliation = notes.joined(separator: "\n")
                machine.state = state
            }
        }
    }

    /// How many of the plan's steps the venue's position has reached, in order.
    ///
    /// The steps of one update all move the target the same way, so a step is reached when the
    /// position has come to its target or gone past it, within what the venue would not trade
    /// (less than its minimum order value).
    static func stepsReached(_ plan: FibonacciPlan, from venueBefore: FixedDecimal, to venueAfter: FixedDecimal,
                             price: FixedDecimal) -> Int {
        guard let last = plan.steps.last else { return 0 }
        let direction = (last.target - venueBefore).signum
        var reached = 0
        for step in plan.steps {
            let gap = step.target - venueAfter
            let close = gap.magnitude * price < Instrument.minimumOrderValue
            let past = direction != 0 && gap.signum == -direction
            guard close || past else { break }
            reached += 1
        }
        return reached
    }

    public func persistentState() async -> String? {
        machine.withLock { machine in
            let state = machine.state
            return machine.persisted.json(of: state, encode: Self.encode)
        }
    }

    /// The state as JSON with sorted keys and decimals as exact strings.
    public static func encode(_ state: FibonacciState) -> String { state.persistedJSON }

    /// Parses persisted JSON into a state.
    /// - Throws: `DriverError` when the text is not a valid Fibonacci hedge state.
    public static func decode(_ json: String) throws -> FibonacciState { try FibonacciState.restored(from: json, kind: "Fibonacci hedge") }

    static func rebalance(_ symbol: Symbol, target: FixedDecimal, leverage: Int, reason: String) -> SymbolDecision {
        SymbolDecision(symbol: symbol, action: .rebalance, targetSize: target, leverage: leverage, justification: reason)
    }

    static func output(_ instructions: [SymbolDecision], reason: String) -> DriverOutput {
        DriverOutput(decision: Decision(instructions: instructions, reasoning: reason), rawResponse: reason)
    }
}
