public import ArenaCore

/// Exits as one group per position, run by the venue itself: an entry's take-profit, stop and
/// trailing stop are placed when it fills, sized to what filled (and resized as more fills);
/// when one of them fills the others are cancelled; when the position they protect is closed or
/// flipped, by whatever order, every exit left on that side is cancelled, so that an old stop can
/// never cut a new position.
extension PaperExchange {
    /// Why exits are cancelled, in the records.
    public enum ExitCancellation {
        public static let siblingFilled = "Canceled: another exit of its group filled"
        public static let positionClosed = "Canceled: the position it protected was closed"
        public static let positionFlipped = "Canceled: the position it protected was flipped"
    }

    /// The exit groups still open: each group's id and its waiting exits, oldest first.
    public var exitGroups: [ClientOrderID: [Order]] {
        var groups: [ClientOrderID: [Order]] = [:]
        for order in triggers.orders + resting {
            if let group = order.request.group { groups[group, default: []].append(order) }
        }
        return groups
    }

    /// Why an entry's exits cannot be accepted with the mark at `mark`; nil when they can.
    func exitRejection(of request: OrderRequest, instrument: Instrument, mark: FixedDecimal) -> String? {
        for leg in request.exits {
            if let trailing = leg.trailing {
                guard trailing.isValid else { return "A trailing stop's distance must be positive (a percentage below 100)." }
                continue
            }
            guard instrument.isValidPrice(leg.triggerPrice), leg.limitPrice.map(instrument.isValidPrice) ?? true else {
                return RejectionReason.invalidPrice
            }
            if let reason = TriggerRules.refusal(side: request.side.opposite, kind: leg.kind, triggerPrice: leg.triggerPrice,
                                                 limitPrice: leg.limitPrice, mark: mark) {
                return reason
            }
        }
        if Set(request.exits.map(\.clientOrderID)).count != request.exits.count
            || request.exits.contains(where: { $0.clientOrderID == request.clientOrderID || isOpen($0.clientOrderID) }) {
            return RejectionReason.duplicateClientOrderID
        }
        return nil
    }

    /// Starts a trailing stop at the mark: its anchor is the mark and its trigger the mark less
    /// the distance.
    func startingTrail(_ request: OrderRequest, mark: FixedDecimal, instrument: Instrument) -> OrderRequest {
        guard var trailing = request.trailing, case let .trigger(_, kind, limit) = request.type else { return request }
        var started = request
        trailing.anchor = mark
        started.trailing = trailing
        started.type = .trigger(triggerPrice: trailing.distance.stopPrice(anchor: mark, side: request.side, instrument: instrument),
                                kind: kind, limitPrice: limit)
        return started
    }

    /// Everything that follows an order's fills for its exits: a filled exit cancels the rest of
    /// its group, a position closed or flipped drops the exits that protected it, and an entry
    /// gets (or resizes) its own. `before` is the position's size before the fills; nil when no
    /// order was waiting, so that there was nothing to drop.
    mutating func settleExits(after order: Order, positionBefore before: FixedDecimal?, time: Timestamp,
                              into events: inout [ExchangeEvent]) {
        let symbol = order.request.symbol
        if let group = order.request.group, order.filledSize.isPositive {
            cancelExits(reason: ExitCancellation.siblingFilled, time: time, into: &events) {
                $0.request.group == group && $0.request.clientOrderID != order.request.clientOrderID
            }
        }
        if let before, !before.isZero {
            let after = positions[symbol]?.size ?? .zero
            if after.isZero || after.signum != before.signum {
                let closingSide: Side = before.isPositive ? .sell : .buy
                cancelExits(reason: after.isZero ? ExitCancellation.positionClosed : ExitCancellation.positionFlipped,
                            time: time, into: &events) {
                    $0.request.symbol == symbol && $0.request.reduceOnly && $0.request.side == closingSide
                        && $0.request.clientOrderID != order.request.clientOrderID
                }
            }
        }
        if !order.request.exits.isEmpty, order.filledSize.isPositive { armExits(of: order, time: time, into: &events) }
    }

    /// Places an entry's exits sized to what it has filled, or resizes those already waiting.
    mutating func armExits(of entry: Order, time: Timestamp, into events: inout [ExchangeEvent]) {
        let request = entry.request
        let instrument = configuration.instrument(for: request.symbol)
        let mark = matching.prices(for: request.symbol)?.mark ?? entry.averageFillPrice ?? .zero
        for leg in request.exits {
            if var waiting = triggers.orders.first(where: { $0.request.clientOrderID == leg.clientOrderID }) {
                guard waiting.request.size != entry.filledSize, entry.filledSize > waiting.filledSize else { continue }
                waiting.request.size = entry.filledSize
                waiting.updatedAt = time
                triggers.replace(waiting)
                events.append(.orderUpdated(waiting))
                continue
            }
            var exit = leg.request(symbol: request.symbol, entrySide: request.side, size: entry.filledSize,
                                   group: request.clientOrderID, mark: mark, origin: request.origin)
            if exit.trailing != nil { exit = startingTrail(exit, mark: mark, instrument: instrument) }
            var order = Order(request: exit, status: .waitingTrigger, submittedAt: time, midAtSubmission: matching.prices(for: request.symbol)?.mid)
            assignVenueID(&order)
            triggers.add(order)
            events.append(.orderUpdated(order))
        }
    }

    /// Cancels every waiting trigger and resting order that `matches`, reporting each.
    mutating func cancelExits(reason: String, time: Timestamp, into events: inout [ExchangeEvent], where matches: (Order) -> Bool) {
        guard triggers.orders.contains(where: matches) || resting.contains(where: matches) else { return }
        for var order in triggers.orders where matches(order) {
            _ = triggers.remove(order.request.clientOrderID)
            order.cancelRemainder(reason: reason, at: time)
            events.append(.orderUpdated(order))
        }
        var kept: [Order] = []
        for var order in resting {
            guard matches(order) else {
                kept.append(order)
                continue
            }
            order.cancelRemainder(reason: reason, at: time)
            events.append(.orderUpdated(order))
        }
        resting = kept
    }

    /// Moves the trailing stops of `symbol` with the mark; reports each that moved.
    mutating func trailStops(_ symbol: Symbol, mark: FixedDecimal, time: Timestamp, into events: inout [ExchangeEvent]) {
        let instrument = configuration.instrument(for: symbol)
        for moved in triggers.trail(symbol, mark: mark, instrument: instrument, time: time) {
            events.append(.orderUpdated(moved))
        }
    }
}
