import ArenaCore
import Foundation
import Synchronization

/// The four-phase hedging strategy (HyperTrader "Advanced Hedging Strategy v6.0.0") as a
/// rule-based baseline; the rules are described in `docs/HEDGES.md`.
///
/// Each decision looks at the mid of its coin, runs the state machine one unit at a time and asks
/// for the net position its long and short legs stand for, as one `rebalance`. What comes back
/// is reconciled into the legs: a partly filled step keeps its unit with every leg scaled by the
/// filled share; a step that filled nothing (refused or unfilled) is rolled back whole, so the next
/// decision retries it from the same unit.
public final class HedgeDriver: Driver {
    /// What a decision asked for, kept until its execution report arrives.
    enum Pending: Sendable {
        case start(notional: FixedDecimal, target: FixedDecimal, leverage: Int, price: FixedDecimal)
        case steps(HedgePlan, target: FixedDecimal, requested: FixedDecimal)
    }

    struct Machine: Sendable {
        var state: HedgeState
        var pending: Pending?
        var persisted = PersistedJSONMemo<HedgeState>()
    }

    public let symbol: Symbol
    private let machine: Mutex<Machine>

    /// Creates the driver, resuming `persistedState` when the account has one.
    /// - Parameters:
    ///   - symbol: The coin it trades.
    ///   - unitSize: The price distance of one unit; a restored cycle keeps its own until its RESET.
    ///   - initialMargin: The margin (USD) of the opening buy, levered at the coin's maximum
    ///     within the account's limit.
    ///   - persistedState: The JSON `persistentState()` returned, or nil for a fresh start.
    /// - Throws: `DriverError` for parameters out of range or a persisted state that cannot be
    ///   read or belongs to another coin.
    public init(symbol: Symbol, unitSize: FixedDecimal, initialMargin: FixedDecimal, persistedState: String? = nil) throws {
        guard unitSize.isPositive else { throw DriverError("unit_size must be positive (got \(unitSize)).") }
        guard initialMargin >= Instrument.minimumOrderValue else {
            throw DriverError("initial_margin must be at least \(Instrument.minimumOrderValue) USD (got \(initialMargin)).")
        }
        self.symbol = symbol
        var state = HedgeState(symbol: symbol, unitSize: unitSize, initialMargin: initialMargin)
        if let persistedState {
            let restored = try Self.decode(persistedState)
            guard restored.symbol == symbol else {
                throw DriverError("The persisted hedge state trades \(restored.symbol), not \(symbol).")
            }
            state = restored
            state.configuredUnitSize = unitSize
            if !state.started { state.initialMargin = initialMargin; state.unitSize = unitSize }
        }
        machine = Mutex(Machine(state: state, pending: nil))
    }

    public var kind: String { "hedge4" }

    /// The state now (the last reconciled one).
    public var state: HedgeState { machine.withLock { $0.state } }

    public func decide(_ context: DecisionContext) async throws -> DriverOutput {
        guard let quote = context.market[symbol], quote.mid.isPositive else { throw DriverError("No price for \(symbol) yet.") }
        let price = quote.mid
        let instrument = context.instrument(symbol)
        let leverage = max(1, min(instrument.maxLeverage, context.maxLeverage))
        let venueSize = context.account.positions[symbol]?.size ?? .zero
        return try machine.withLock { machine in
            machine.pending = nil
            let state = machine.state
            guard state.started else {
                let notional = state.initialMargin * FixedDecimal(leverage)
                guard state.initialMargin <= context.account.availableMargin else {
                    throw DriverError("The initial margin of \(state.initialMargin) USD is more than the account's available margin "
                        + "of \(context.account.availableMargin.rounded(decimals: 2)) USD.")
                }
                let target = instrument.roundSize(notional / price)
                let reason = "Start: buy long \(notional) USD notional (initial margin \(state.initialMargin) USD at \(leverage)x), "
                    + "about \(target) \(symbol) at \(price); phase ADVANCE, units 0 once filled."
                machine.pending = .start(notional: notional, target: target, leverage: leverage, price: price)
                return Self.output(symbol: symbol, action: .rebalance, target: target, leverage: leverage, reason: reason)
            }
            let unit = state.unit(of: price)
            guard unit != state.currentUnit else {
                let reason = "Unit \(unit) at \(price) (entry \(state.entryPrice), unit size \(state.unitSize)), phase \(state.phase.rawValue): no unit change."
                return Self.output(symbol: symbol, action: .hold, target: nil, leverage: nil, reason: reason)
            }
            let plan = state.plan(to: unit, price: price)
            var log = plan.log
            let target = Self.gridded(plan.after.netSize, instrument: instrument)
            let requested = target - venueSize
            guard plan.tradesLegs, !requested.isZero, requested.magnitude * price >= Instrument.minimumOrderValue else {
                // Nothing for the venue to do (a new peak, a decline, or a change below its minimum
                // order): the step is taken with the legs as they are.
                if plan.tradesLegs {
                    log.append("No order: the net change of \(requested) \(symbol) is below the venue's minimum order; the legs stay as they are.")
                }
                let (settled, notes) = plan.settled(fraction: .zero, netChange: .zero, fillPrice: price)
                machine.state = settled
                machine.state.lastReconciliation = notes.isEmpty ? nil : notes.joined(separator: "\n")
                log += notes
                return Self.output(symbol: symbol, action: .hold, target: nil, leverage: nil, reason: log.joined(separator: "\n"))
            }
            if plan.resetDue {
                // The reset itself waits for the fills: it happens only if the filled legs still meet it.
                var preview = plan.after
                preview.reset(at: price, log: &log)
            }
            log.append("Target: net \(target) \(symbol) (long leg \(plan.after.longSize.rounded(decimals: 6)), "
                + "short leg \(plan.after.shortSize.rounded(decimals: 6)), cash \(plan.after.cash.rounded(decimals: 2)) USD).")
            machine.pending = .steps(plan, target: target, requested: requested)
            return Self.output(symbol: symbol, action: .rebalance, target: target, leverage: leverage, reason: log.joined(separator: "\n"))
        }
    }

    public func reconcile(_ report: ExecutionReport) async {
        var bought = FixedDecimal.zero
        var sold = FixedDecimal.zero
        var boughtValue = FixedDecimal.zero
        var soldValue = FixedDecimal.zero
        for fill in report.fills where fill.symbol == symbol {
            if fill.side == .buy {
                bought += fill.size
                boughtValue += fill.notional
            } else {
                sold += fill.size
                soldValue += fill.notional
            }
        }
        let filled = bought - sold
        let traded = bought + sold
        // One decision's orders all go one way (the gate closes then reopens when crossing zero),
        // so the volume-weighted price of all its fills is the price of its net change.
        let averagePrice: FixedDecimal? = traded.isPositive ? (boughtValue + soldValue) / traded : nil
        machine.withLock { machine in
            guard let pending = machine.pending else { return }
            machine.pending = nil
            switch pending {
            case let .start(notional, target, leverage, price):
                guard filled.isPositive, let averagePrice else {
                    machine.state.lastReconciliation = "Start not filled\(report.refusalClause); it is retried at the next decision."
                    return
                }
                var state = machine.state
                state.started = true
                state.leverage = leverage
                state.entryPrice = averagePrice
                state.longSize = filled
                state.cash = notional - filled * averagePrice
                state.phase = .advance
                state.currentUnit = 0
                state.peakUnit = 0
                state.valleyUnit = 0
                state.positionFragment = (filled * averagePrice * HedgeState.fragmentShare).rounded(decimals: 6)
                state.currentPositionAllocation = state.initialMargin
                state.mark(at: averagePrice)
                state.lastReconciliation = "Start filled \(filled) of \(target) \(symbol) at an average \(averagePrice) (mid \(price))."
                machine.state = state
            case let .steps(plan, target, requested):
                let sameWay = filled.signum == requested.signum
                guard report.rejectionReason == nil, sameWay, !filled.isZero, let averagePrice else {
                    // Nothing traded: the state stays where it was, and the next decision, finding the
                    // price still away from the current unit, asks again.
                    machine.state.lastReconciliation = "Rolled back the step to \(target) \(symbol): nothing filled\(report.refusalClause)."
                    return
                }
                let fraction = FixedDecimal.min(.one, filled / requested)
                let netChange = fraction == .one ? target - plan.before.netSize : filled
                let (settled, notes) = plan.settled(fraction: fraction, netChange: netChange, fillPrice: averagePrice)
                machine.state = settled
                var summary = "Filled \(filled) of \(requested) \(symbol) at an average \(averagePrice)"
                summary += fraction == .one ? "." : " (\((fraction * FixedDecimal(100)).rounded(decimals: 2))%): every leg change scaled by it."
                machine.state.lastReconciliation = ([summary] + notes).joined(separator: "\n")
            }
        }
    }

    public func persistentState() async -> String? {
        machine.withLock { machine in
            let state = machine.state
            return machine.persisted.json(of: state, encode: Self.encode)
        }
    }

    /// The state as JSON with sorted keys and decimals as exact strings.
    public static func encode(_ state: HedgeState) -> String { state.persistedJSON }

    /// Parses persisted JSON into a state.
    /// - Throws: `DriverError` when the text is not a valid hedge state.
    public static func decode(_ json: String) throws -> HedgeState { try HedgeState.restored(from: json, kind: "hedge") }

    /// `size` rounded toward zero to the coin's size step, as the risk gate rounds targets.
    static func gridded(_ size: FixedDecimal, instrument: Instrument) -> FixedDecimal {
        size.isNegative ? -instrument.roundSize(size.magnitude) : instrument.roundSize(size)
    }

    static func output(symbol: Symbol, action: DecisionAction, target: FixedDecimal?, leverage: Int?, reason: String) -> DriverOutput {
        let instruction = SymbolDecision(symbol: symbol, action: action, targetSize: target, leverage: leverage, justification: reason)
        return DriverOutput(decision: Decision(instructions: [instruction], reasoning: reason), rawResponse: reason)
    }
}
