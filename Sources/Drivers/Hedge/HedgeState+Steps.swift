import ArenaCore

/// The outcome of running the state machine over one price: the state the actions lead to (with
/// the legs as planned at the mid), what was pushed for reversals, and the log of the step.
struct HedgePlan: Sendable {
    var before: HedgeState
    /// The state after every unit step, legs as planned; a planned RESET is not applied yet.
    var after: HedgeState
    var price: FixedDecimal
    var log: [String]
    /// Entries this plan appended to `after.retracementActions` / `after.recoveryActions`.
    var pushedRetracement: Int
    var pushedRecovery: Int
    /// The reset conditions held after a RECOVERY trade with the planned legs; they are checked
    /// again on the legs actually filled.
    var resetDue: Bool

    /// Whether the plan changes any leg.
    var tradesLegs: Bool { after.longSize != before.longSize || after.shortSize != before.shortSize }
}

extension HedgeState {
    /// The unit of `price`: `(price - entry) / unitSize` truncated toward zero, computed on the
    /// exact scaled integers so that no rounding can move a boundary.
    static func unit(of price: FixedDecimal, entry: FixedDecimal, unitSize: FixedDecimal) -> Int {
        Int((price.raw - entry.raw) / unitSize.raw)
    }

    /// The unit of `price` in this cycle.
    func unit(of price: FixedDecimal) -> Int { Self.unit(of: price, entry: entryPrice, unitSize: unitSize) }

    static let fragmentShare = FixedDecimal(10, exponent: 2)
    static let hedgeShare = FixedDecimal(25, exponent: 2)
    static let resetCashShare = FixedDecimal(5, exponent: 2)

    /// Moves the legs by `longChange` and `shortChange` coins traded at `price`, keeping the
    /// virtual equity unchanged at that price: a long trade moves its cost through cash, a short
    /// open takes its notional from cash, a cover returns the notional it was opened with plus its
    /// PnL.
    mutating func applyLegs(long longChange: FixedDecimal, short shortChange: FixedDecimal, at price: FixedDecimal) {
        cash -= longChange * price
        longSize += longChange
        if shortChange.isPositive {
            let newShort = shortSize + shortChange
            shortEntryPrice = (shortEntryPrice * shortSize + price * shortChange) / newShort
            cash -= shortChange * price
            shortSize = newShort
        } else if shortChange.isNegative {
            let covered = FixedDecimal.min(shortChange.magnitude, shortSize)
            cash += covered * (shortEntryPrice * 2 - price)
            shortSize -= covered
            if shortSize.isZero { shortEntryPrice = .zero }
        }
    }

    /// Values both legs at `price`.
    mutating func mark(at price: FixedDecimal) {
        lastPrice = price
        longValue = longSize * price
        shortValue = shortSize * price
    }

    /// Whether the cycle is complete: no short left (under the venue's minimum order) and cash
    /// below 5% of the allocation's notional or under the venue's minimum order.
    func resetConditionsHold(at price: FixedDecimal) -> Bool {
        guard shortSize * price < Instrument.minimumOrderValue else { return false }
        let allocationNotional = currentPositionAllocation * FixedDecimal(leverage)
        return cash < allocationNotional * Self.resetCashShare || cash < Instrument.minimumOrderValue
    }

    /// Starts a new cycle at `price`: the allocation becomes the margin value now, the entry the
    /// price, every unit 0 and the phase ADVANCE.
    mutating func reset(at price: FixedDecimal, log: inout [String]) {
        let margin = (virtualEquity(at: price) / FixedDecimal(leverage)).rounded(decimals: 6)
        log.append("RESET TRIGGERED: short leg \(shortSize) \(symbol), cash \(cash.rounded(decimals: 2)) USD; "
            + "allocation \(currentPositionAllocation) -> \(margin) USD, entry \(entryPrice) -> \(price), units 0, phase \(phase.rawValue) -> ADVANCE.")
        currentPositionAllocation = margin
        entryPrice = price
        if configuredUnitSize != unitSize {
            log.append("Unit size \(unitSize) -> \(configuredUnitSize) from the settings.")
            unitSize = configuredUnitSize
        }
        currentUnit = 0
        peakUnit = 0
        valleyUnit = 0
        phase = .advance
        hedgeFragment = .zero
        retracementActions = []
        recoveryActions = []
        positionFragment = (longSize * price * Self.fragmentShare).rounded(decimals: 6)
        resets += 1
        mark(at: price)
    }

    /// Runs the state machine from the current unit to `target`, one unit at a time, at `price`.
    /// Stops early when a RESET is due (the rest of a gap then lies in the new cycle, whose unit
    /// at `price` is 0).
    func plan(to target: Int, price: FixedDecimal) -> HedgePlan {
        var plan = HedgePlan(before: self, after: self, price: price, log: [], pushedRetracement: 0, pushedRecovery: 0,
                             resetDue: false)
        while plan.after.currentUnit != target, !plan.resetDue {
            let next = plan.after.currentUnit + (target > plan.after.currentUnit ? 1 : -1)
            plan.step(to: next)
        }
        plan.after.mark(at: price)
        return plan
    }
}

extension HedgePlan {
    /// One unit of the state machine.
    mutating func step(to unit: Int) {
        let previous = after.currentUnit
        let up = unit > previous
        log.append("Unit change: \(previous) -> \(unit)")
        after.currentUnit = unit
        switch after.phase {
        case .advance:
            if unit > after.peakUnit {
                after.peakUnit = unit
                after.positionFragment = (after.longSize * price * HedgeState.fragmentShare).rounded(decimals: 6)
                log.append("New peak at unit \(unit): position fragment \(after.positionFragment) USD (10% of the long leg).")
            } else if unit - after.peakUnit == -1 {
                transition(to: .retracement)
                retrace(fromPeak: -1)
            }
        case .retracement:
            let fromPeak = unit - after.peakUnit
            if up {
                undoLast(recovery: false, leaving: previous)
                if fromPeak >= 0 { transition(to: .advance) }
            } else {
                retrace(fromPeak: fromPeak)
                if fromPeak <= -5 {
                    after.valleyUnit = unit
                    transition(to: .decline)
                    log.append("Valley at unit \(unit).")
                }
            }
        case .decline:
            if unit < after.valleyUnit {
                after.valleyUnit = unit
                log.append("New valley at unit \(unit): no trade.")
            } else if up, unit - after.valleyUnit == 1 {
                after.hedgeFragment = (after.shortSize * price * HedgeState.hedgeShare).rounded(decimals: 6)
                log.append("First unit up from the valley: hedge fragment \(after.hedgeFragment) USD (25% of the short leg).")
            } else if up, unit - after.valleyUnit >= 2 {
                transition(to: .recovery)
                recover(fromValley: unit - after.valleyUnit)
            }
        case .recovery:
            let fromValley = unit - after.valleyUnit
            if up {
                recover(fromValley: fromValley)
            } else {
                undoLast(recovery: true, leaving: previous)
                if fromValley <= 1 { transition(to: .decline) }
            }
        }
    }

    mutating func transition(to phase: HedgePhase) {
        log.append("Phase \(after.phase.rawValue) -> \(phase.rawValue)")
        after.phase = phase
    }

    func coins(_ usd: FixedDecimal) -> FixedDecimal { usd / price }

    func describe(_ size: FixedDecimal) -> String {
        "\(size.rounded(decimals: 6)) \(after.symbol) (\((size * price).rounded(decimals: 2)) USD)"
    }

    /// The RETRACEMENT action at `fromPeak` units from the peak (-1 to -5).
    mutating func retrace(fromPeak: Int) {
        let fragment = coins(after.positionFragment)
        let sold: FixedDecimal
        let shorted: FixedDecimal
        switch fromPeak {
        case -1:
            sold = FixedDecimal.min(fragment, after.longSize)
            shorted = fragment
            log.append("Retracement -1: sell long \(describe(sold)); open short \(describe(shorted)).")
        case -4 ... -2:
            sold = FixedDecimal.min(fragment * 2, after.longSize)
            shorted = fragment
            log.append("Retracement \(fromPeak): sell long \(describe(sold)); add short \(describe(shorted)).")
        default:
            sold = after.longSize
            shorted = sold
            log.append("Retracement \(fromPeak): sell all that is left of the long, \(describe(sold)); add the sale to the short, \(describe(shorted)).")
        }
        after.applyLegs(long: -sold, short: shorted, at: price)
        after.retracementActions.append(HedgeLegChange(unit: after.currentUnit, longSize: -sold, shortSize: shorted))
        pushedRetracement += 1
    }

    /// The RECOVERY action at `fromValley` units from the valley (+2 and up), then the RESET check.
    mutating func recover(fromValley: Int) {
        let startLong = after.longSize
        let startShort = after.shortSize
        switch fromValley {
        case 2...4:
            let covered = FixedDecimal.min(coins(after.hedgeFragment), after.shortSize)
            after.applyLegs(long: covered, short: -covered, at: price)
            let fromCash = coins(FixedDecimal.min(after.positionFragment, FixedDecimal.max(after.cash, .zero)))
            after.applyLegs(long: fromCash, short: .zero, at: price)
            log.append("Recovery +\(fromValley): cover short \(describe(covered)); buy long \(describe(covered)) with it; "
                + "buy long \(describe(fromCash)) from cash.")
        case 5:
            let covered = after.shortSize
            after.applyLegs(long: covered, short: -covered, at: price)
            let fromCash = coins(FixedDecimal.min(after.positionFragment, FixedDecimal.max(after.cash, .zero)))
            after.applyLegs(long: fromCash, short: .zero, at: price)
            log.append("Recovery +5: cover the rest of the short, \(describe(covered)); buy long \(describe(covered)) with it; "
                + "buy long \(describe(fromCash)) from cash.")
        default:
            let fromCash = coins(FixedDecimal.max(after.cash, .zero))
            after.applyLegs(long: fromCash, short: .zero, at: price)
            log.append("Recovery +\(fromValley): buy long \(describe(fromCash)) with the cash left.")
        }
        after.recoveryActions.append(HedgeLegChange(unit: after.currentUnit, longSize: after.longSize - startLong,
                                                    shortSize: after.shortSize - startShort))
        pushedRecovery += 1
        if after.resetConditionsHold(at: price) { resetDue = true }
    }

    /// Undoes the action taken at unit `leaving`, the last one of the retracement's or the
    /// recovery's record: buys back what it sold and covers what it shorted, or the reverse.
    mutating func undoLast(recovery: Bool, leaving: Int) {
        let actions = recovery ? after.recoveryActions : after.retracementActions
        guard let last = actions.last, last.unit == leaving else {
            log.append("No action at unit \(leaving) to undo.")
            return
        }
        if recovery { after.recoveryActions.removeLast() } else { after.retracementActions.removeLast() }
        after.applyLegs(long: -last.longSize, short: -last.shortSize, at: price)
        var parts: [String] = []
        if last.longSize.isNegative { parts.append("buy back long \(describe(last.longSize.magnitude))") }
        if last.longSize.isPositive { parts.append("sell long \(describe(last.longSize))") }
        if last.shortSize.isPositive { parts.append("cover short \(describe(last.shortSize))") }
        if last.shortSize.isNegative { parts.append("reopen short \(describe(last.shortSize.magnitude))") }
        log.append("Reversal: undo the action of unit \(leaving): \(parts.isEmpty ? "nothing had traded" : parts.joined(separator: "; ")).")
    }

    /// The state once the venue has filled `fraction` (0...1) of the net change at `fillPrice`,
    /// the legs' net moving by exactly `netChange` coins.
    ///
    /// Every leg change of the plan is scaled by `fraction` (so a 60% fill of "sell 1 fragment long,
    /// open 1 fragment short" sells 0.6 fragment and shorts 0.6 fragment), and what rounding leaves
    /// over goes to one leg so that the legs' net equals the venue's position. Units and phase
    /// keep the plan's step; the reversal records hold what was filled, so a reversal undoes exactly
    /// that. A planned RESET happens only if its conditions still hold on the filled legs.
    func settled(fraction: FixedDecimal, netChange: FixedDecimal, fillPrice: FixedDecimal) -> (HedgeState, [String]) {
        var result = after
        result.longSize = before.longSize
        result.shortSize = before.shortSize
        result.shortEntryPrice = before.shortEntryPrice
        result.cash = before.cash
        var longChange = (after.longSize - before.longSize) * fraction
        var shortChange = (after.shortSize - before.shortSize) * fraction
        // What the size grid leaves over goes to the long leg, unless the plan emptied the long
        // and kept a short (a retracement's -5): then to the short, so an emptied leg stays empty.
        let correction = netChange - (longChange - shortChange)
        if after.longSize.isZero, !after.shortSize.isZero {
            shortChange -= correction
        } else {
            longChange += correction
        }
        if (before.longSize + longChange).isNegative {
            let excess = -(before.longSize + longChange)
            longChange += excess
            shortChange += excess
        }
        if (before.shortSize + shortChange).isNegative {
            let excess = -(before.shortSize + shortChange)
            shortChange += excess
            longChange += excess
        }
        result.applyLegs(long: longChange, short: shortChange, at: fillPrice)
        // The records of this plan's actions must add up to what the legs actually did, rounding
        // included, so that reversing them returns the legs exactly (a plan only pushes or only
        // pops, since the price moves one way within it).
        Self.settleLast(pushedRetracement, of: &result.retracementActions, fraction: fraction, long: longChange, short: shortChange)
        Self.settleLast(pushedRecovery, of: &result.recoveryActions, fraction: fraction, long: longChange, short: shortChange)
        result.mark(at: price)
        var log: [String] = []
        if resetDue {
            if result.resetConditionsHold(at: price) {
                result.reset(at: price, log: &log)
            } else {
                log.append("No reset: the filled legs leave short \(result.shortSize) \(result.symbol) and cash \(result.cash.rounded(decimals: 2)) USD.")
            }
        }
        return (result, log)
    }

    /// Scales the last `count` records by `fraction` and puts on the newest one whatever makes
    /// them sum to the legs' actual change.
    static func settleLast(_ count: Int, of actions: inout [HedgeLegChange], fraction: FixedDecimal, long: FixedDecimal,
                           short: FixedDecimal) {
        guard count > 0, count <= actions.count else { return }
        var longSum = FixedDecimal.zero
        var shortSum = FixedDecimal.zero
        for index in actions.indices.suffix(count) {
            actions[index].longSize = actions[index].longSize * fraction
            actions[index].shortSize = actions[index].shortSize * fraction
            longSum += actions[index].longSize
            shortSum += actions[index].shortSize
        }
        let newest = actions.count - 1
        actions[newest].longSize += long - longSum
        actions[newest].shortSize += short - shortSum
    }
}
