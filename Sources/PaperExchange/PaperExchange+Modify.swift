public import ArenaCore

extension PaperExchange {
    /// Modifies a resting limit or a waiting trigger order, as the venue's modify does.
    ///
    /// A resting order is checked again in full and loses its time priority; if its new price
    /// crosses the book it takes liquidity at once (taker fee) and the rest rests. A waiting
    /// trigger keeps its place.
    /// - Parameters:
    ///   - clientOrderID: the order to change.
    ///   - price: the new limit price (a resting limit, or a trigger order's limit).
    ///   - size: the new total size, filled part included; it must exceed the filled size.
    ///   - triggerPrice: the new trigger price of a waiting trigger order.
    ///   - time: when the modification arrives.
    /// - Returns: the order's `.orderUpdated`, then any fills.
    /// - Throws: `PaperExchangeError.unknownOrder` when no resting or waiting order has this id;
    ///   `.modificationRejected` with the venue's reason when the new order would be refused (the
    ///   old one then stays unchanged).
    public mutating func modify(_ clientOrderID: ClientOrderID, price: FixedDecimal? = nil, size: FixedDecimal? = nil,
                                triggerPrice: FixedDecimal? = nil, at time: Timestamp) throws(PaperExchangeError) -> [ExchangeEvent] {
        if let index = resting.firstIndex(where: { $0.request.clientOrderID == clientOrderID }) {
            return try modifyResting(at: index, price: price, size: size, triggerPrice: triggerPrice, time: time)
        }
        if let waiting = triggers.orders.first(where: { $0.request.clientOrderID == clientOrderID }) {
            return try modifyTrigger(waiting, price: price, size: size, triggerPrice: triggerPrice, time: time)
        }
        if pending.contains(where: { $0.order.request.clientOrderID == clientOrderID }) {
            throw .modificationRejected(clientOrderID, reason: "Order is still in flight and cannot be modified yet")
        }
        throw .unknownOrder(clientOrderID)
    }

    private mutating func modifyResting(at index: Int, price: FixedDecimal?, size: FixedDecimal?, triggerPrice: FixedDecimal?,
                                        time: Timestamp) throws(PaperExchangeError) -> [ExchangeEvent] {
        let old = resting[index]
        let id = old.request.clientOrderID
        guard triggerPrice == nil else {
            throw .modificationRejected(id, reason: "Only a waiting trigger order has a trigger price to modify")
        }
        var request = old.request
        if let size { request.size = size }
        switch request.type {
        case let .limit(oldPrice, timeInForce):
            request.type = .limit(price: price ?? oldPrice, timeInForce: timeInForce)
        case let .trigger(oldTrigger, kind, oldLimit):
            request.type = .trigger(triggerPrice: oldTrigger, kind: kind, limitPrice: price ?? oldLimit)
        case .market:
            throw .modificationRejected(id, reason: "A market order cannot be modified")
        }
        guard request.size > old.filledSize else { throw .modificationRejected(id, reason: RejectionReason.invalidSize) }
        let instrument = configuration.instrument(for: request.symbol)
        let prices = matching.prices(for: request.symbol)
        resting.remove(at: index)
        var order = old
        order.request = request
        order.updatedAt = time
        var reason = staticRejection(of: request, size: order.remainingSize, instrument: instrument, prices: prices)
        let terms = matchingTerms(of: request, instrument: instrument, reference: prices?.mid ?? .zero)
        if reason == nil { reason = preMatchRejection(of: order, terms: terms, instrument: instrument) }
        if let reason {
            resting.insert(old, at: index)
            throw .modificationRejected(id, reason: reason)
        }
        var events: [ExchangeEvent] = []
        // A modified Gtc or Alo never ends without resting, so the no-fill status is unused.
        match(order, terms: terms, instrument: instrument, time: time, noFillStatus: .canceled, into: &events)
        return events
    }

    private mutating func modifyTrigger(_ old: Order, price: FixedDecimal?, size: FixedDecimal?, triggerPrice: FixedDecimal?,
                                        time: Timestamp) throws(PaperExchangeError) -> [ExchangeEvent] {
        let id = old.request.clientOrderID
        guard case let .trigger(oldTrigger, kind, oldLimit) = old.request.type else { throw .unknownOrder(id) }
        if price != nil, oldLimit == nil {
            throw .modificationRejected(id, reason: "A trigger market order has no limit price to modify")
        }
        var request = old.request
        if let size { request.size = size }
        request.type = .trigger(triggerPrice: triggerPrice ?? oldTrigger, kind: kind, limitPrice: price ?? oldLimit)
        let instrument = configuration.instrument(for: request.symbol)
        if let reason = staticRejection(of: request, size: request.size, instrument: instrument,
                                        prices: matching.prices(for: request.symbol), checkDuplicate: false) {
            throw .modificationRejected(id, reason: reason)
        }
        var order = old
        order.request = request
        order.updatedAt = time
        triggers.replace(order)
        return [.orderUpdated(order)]
    }
}
