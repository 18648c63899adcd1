import ArenaCore

/// One change of the legs within an update: the state it leads to and the venue position it asks for.
struct FibonacciStep: Sendable {
    /// The state once the step has filled.
    var after: FibonacciState
    /// The venue position, in coins, the step's legs stand for.
    var target: FixedDecimal
    /// What the step does, for the decision's reasoning.
    var summary: String
}

/// The outcome of the rules over one price: the state with this price's highs and lows (legs
/// untouched), then each leg change in order.
struct FibonacciPlan: Sendable {
    /// The state with the swing, valley and stop updated for this price, before any leg change.
    var marked: FibonacciState
    var steps: [FibonacciStep]
    var log: [String]
}

extension FibonacciState {
    /// The strategy's own equity: its initial margin plus what the account has gained or lost since
    /// the opening long (fees and funding included).
    func strategyEquity(initialMargin: FixedDecimal, accountEquity: FixedDecimal) -> FixedDecimal {
        initialMargin + accountEquity - equityBaseline
    }

    /// Runs the rules over `price`.
    ///
    /// Highs and lows move first; then either the hedge ends (a price above the swing high, or
    /// above the trailing stop), or the legs move down through every level `r` has reached, one
    /// step per level. A recovery ends the update, so one price never both lifts and lowers the legs.
    /// - Parameters:
    ///   - equity: The strategy's equity now, for `N` of a new cycle.
    ///   - leverage: The leverage allowed now, for a new cycle.
    func plan(price: FixedDecimal, parameters: FibonacciParameters, instrument: Instrument, equity: FixedDecimal,
              leverage: Int) -> FibonacciPlan {
        var state = self
        var log: [String] = []
        state.lastPrice = price
        // Highs and lows.
        if state.phase == .riding {
            if price > state.swingHigh {
                log.append("New swing high \(price) (was \(state.swingHigh)).")
                state.swingHigh = price
            }
        } else {
            if price < state.valley {
                state.valley = price
                log.append("New valley \(price).")
            }
            if state.phase == .reduced || state.phase == .out, price < state.swingLow {
                log.append("New swing low \(price) (was \(state.swingLow)); the range grows to \(state.swingHigh - price).")
                state.swingLow = price
            }
        }
        let r = state.retracement(at: price, minSwingPercent: parameters.minSwingPercent)
        state.lastRetracement = r.rounded(decimals: 6)
        state.trailingStop = state.stop(trailFraction: parameters.trailFraction)
        var header = "Price \(price): swing \(state.swingLow) to \(state.swingHigh) (range \(state.range)), "
        let minimum = state.swingLow * parameters.minSwingPercent / FixedDecimal(100)
        header += state.range >= minimum && state.range.isPositive
            ? "r = \(r.rounded(decimals: 3))" : "r taken as 0 (the range is below \(parameters.minSwingPercent)% of the swing low, \(minimum.rounded(decimals: 2)))"
        header += ", phase \(state.phase.rawValue), cycle \(state.cycle)"
        if let stop = state.trailingStop { header += ", valley \(state.valley), trailing stop \(stop.rounded(decimals: 6))" }
        log.insert(header + ".", at: 0)

        var plan = FibonacciPlan(marked: state, steps: [], log: log)
        if state.phase != .riding, price > state.swingHigh {
            var next = state
            next.enterRiding()
            next.swingHigh = price
            plan.add(next, price: price, instrument: instrument,
                     "Above the swing high at \(price): the hedge is closed and the long restored (A = 1, B = 0), back to RIDING in cycle \(next.cycle).")
        } else if let stop = state.trailingStop, price > stop {
            var next = state
            if state.phase == .hedged {
                next.enterRiding()
                plan.add(next, price: price, instrument: instrument,
                         "Trailing stop \(stop.rounded(decimals: 6)) crossed at \(price) from HEDGED: a shallow dip, back to RIDING (A = 1, B = 0), same cycle, same swing.")
            } else {
                let notional = (equity * FixedDecimal(leverage)).rounded(decimals: 6)
                guard notional.isPositive else {
                    plan.log.append("Trailing stop \(stop) crossed at \(price), but the strategy's equity is \(equity): no new cycle.")
                    return plan
                }
                next.enterRiding()
                next.cycle += 1
                next.swingLow = state.valley
                next.swingHigh = price
                next.baseNotional = notional
                next.leverage = leverage
                plan.add(next, price: price, instrument: instrument,
                         "Cycle \(next.cycle): hedge closed at \(price), long re-entered (trailing stop \(stop.rounded(decimals: 6)) crossed from "
                            + "\(state.phase.rawValue); swing \(next.swingLow) to \(next.swingHigh); N = \(equity.rounded(decimals: 2)) USD equity x \(leverage) = \(notional) USD).")
            }
        } else {
            let depth = parameters.levels.filter { r >= $0 }.count
            var current = state
            while current.phase.depth < depth {
                let from = current.phase
                let to = FibonacciPhase(depth: from.depth + 1)
                if from == .riding { current.valley = price }
                current.phase = to
                (current.longLeg, current.shortLeg) = to.legs
                current.levelReached = to.depth
                var summary = "Level: \(from.rawValue) -> \(to.rawValue) at r=\(r.rounded(decimals: 3))"
                if (to == .reduced || to == .out), price < current.swingLow {
                    summary += "; new swing low \(price) (was \(current.swingLow))"
                    current.swingLow = price
                }
                current.trailingStop = current.stop(trailFraction: parameters.trailFraction)
                plan.add(current, price: price, instrument: instrument, summary)
            }
        }
        return plan
    }

    /// Back to RIDING with the whole long and no hedge.
    mutating func enterRiding() {
        phase = .riding
        (longLeg, shortLeg) = FibonacciPhase.riding.legs
        levelReached = 0
        trailingStop = nil
    }
}

extension FibonacciPlan {
    /// Appends a leg change leading to `state`, logged with the legs and the venue target.
    mutating func add(_ state: FibonacciState, price: FixedDecimal, instrument: Instrument, _ summary: String) {
        let target = state.targetSize(at: price, instrument: instrument)
        log.append(summary)
        log.append("  legs A = \(state.longLeg), B = \(state.shortLeg) of N = \(state.baseNotional) USD: venue target \(target) \(state.symbol).")
        steps.append(FibonacciStep(after: state, target: target, summary: summary))
    }
}
