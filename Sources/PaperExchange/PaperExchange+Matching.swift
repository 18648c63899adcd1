import ArenaCore

/// The prices an order matches with once it reaches the book.
struct MatchingTerms: Sendable {
    /// The worst price a taker fill may have.
    var limit: FixedDecimal
    var timeInForce: TimeInForce
    /// The price the order's margin and value are computed at.
    var marginPrice: FixedDecimal
}

extension PaperExchange {
    /// Returns the venue's reason to refuse `request` on its own terms (size, price, value, reduce
    /// only, duplicate id), before any latency; nil when it passes. `size` is the size still to
    /// trade (less than the request's after a partial fill).
    func staticRejection(of request: OrderRequest, size: FixedDecimal, instrument: Instrument, prices quote: MarketPrices?,
                         checkDuplicate: Bool = true) -> String? {
        guard instrument.isValidSize(request.size), size.isPositive else { return RejectionReason.invalidSize }
        let referencePrice: FixedDecimal
        var limitPrice: FixedDecimal?
        switch request.type {
        case let .market(bound):
            guard bound.isPositive, bound < .one else { return RejectionReason.invalidSlippage }
            guard let quote, quote.mid.isPositive else { return RejectionReason.noMarket(request.symbol) }
            referencePrice = quote.mid
        case let .limit(price, _):
            guard instrument.isValidPrice(price) else { return RejectionReason.invalidPrice }
            referencePrice = price
            limitPrice = price
        case let .trigger(triggerPrice, _, triggeredLimit):
            guard instrument.isValidPrice(triggerPrice), triggeredLimit.map(instrument.isValidPrice) ?? true else {
                return RejectionReason.invalidPrice
            }
            referencePrice = triggeredLimit ?? triggerPrice
            limitPrice = triggeredLimit
        }
        guard let quote, quote.mark.isPositive else { return RejectionReason.noMarket(request.symbol) }
        // Products of sizes and prices must stay far inside FixedDecimal's range.
        guard size.doubleValue * referencePrice.doubleValue <= 1e9 else { return RejectionReason.invalidSize }
        if !request.reduceOnly, size * referencePrice < Instrument.minimumOrderValue {
            return RejectionReason.minimumValue
        }
        if let limitPrice, (limitPrice - quote.mark).magnitude > quote.mark * configuration.maximumPriceDeviation {
            return RejectionReason.priceTooFar
        }
        if request.reduceOnly, !isTrigger(request), reducibleSize(request.symbol, side: request.side).isZero {
            return RejectionReason.reduceOnlyIncreases
        }
        if isTrigger(request), request.trailing == nil, let reason = TriggerRules.refusal(of: request, mark: quote.mark) {
            return reason
        }
        if let trailing = request.trailing, !trailing.distance.isValid {
            return "A trailing stop's distance must be positive (a percentage below 100)."
        }
        if checkDuplicate, !request.exits.isEmpty, let reason = exitRejection(of: request, instrument: instrument, mark: quote.mark) {
            return reason
        }
        if checkDuplicate, isOpen(request.clientOrderID) { return RejectionReason.duplicateClientOrderID }
        return nil
    }

    func isTrigger(_ request: OrderRequest) -> Bool {
        if case .trigger = request.type { return true }
        return false
    }

    /// Whether an order with this id is in flight, resting or waiting for its trigger.
    func isOpen(_ clientOrderID: ClientOrderID) -> Bool {
        resting.contains { $0.request.clientOrderID == clientOrderID }
            || triggers.orders.contains { $0.request.clientOrderID == clientOrderID }
            || pending.contains { $0.order.request.clientOrderID == clientOrderID }
    }

    /// Returns the limit, time in force and margin price an order matches with; `reference` is
    /// the mid a market order's slippage bound applies to.
    func matchingTerms(of request: OrderRequest, instrument: Instrument, reference: FixedDecimal) -> MatchingTerms {
        switch request.type {
        case let .market(bound):
            let limit = instrument.marketOrderPrice(reference: reference, side: request.side, slippage: bound)
            return MatchingTerms(limit: limit, timeInForce: .ioc, marginPrice: reference)
        case let .limit(price, timeInForce):
            return MatchingTerms(limit: price, timeInForce: timeInForce, marginPrice: price)
        case let .trigger(triggerPrice, _, limitPrice):
            if let limitPrice {
                return MatchingTerms(limit: limitPrice, timeInForce: .gtc, marginPrice: limitPrice)
            }
            let limit = instrument.marketOrderPrice(reference: triggerPrice, side: request.side,
                                                    slippage: configuration.triggerMarketSlippage)
            return MatchingTerms(limit: limit, timeInForce: .ioc, marginPrice: reference)
        }
    }

    /// The price a resting order rests at: its limit, or a fired trigger's limit.
    static func restingPrice(of request: OrderRequest) -> FixedDecimal? {
        switch request.type {
        case let .limit(price, _): price
        case let .trigger(_, _, limitPrice): limitPrice
        case .market: nil
        }
    }

    /// Returns the venue's reason to refuse an order as it reaches the book (post only crossing,
    /// reduce only, margin, the realism profile's refusals); nil when it may match. Draws from
    /// the random source only when a realism profile is set.
    mutating func preMatchRejection(of order: Order, terms: MatchingTerms, instrument: Instrument) -> String? {
        let request = order.request
        // Every caller computed the terms from a quote it had; non-positive prices mean it had none.
        guard terms.limit.isPositive, terms.marginPrice.isPositive else { return RejectionReason.noMarket(request.symbol) }
        if request.reduceOnly, reducibleSize(request.symbol, side: request.side).isZero {
            return RejectionReason.reduceOnlyIncreases
        }
        if terms.timeInForce == .alo, let best = matching.bestOpposite(for: request.symbol, taker: request.side) {
            let crosses = request.side == .buy ? terms.limit >= best : terms.limit <= best
            if crosses { return RejectionReason.postOnlyWouldMatch }
        }
        if !request.reduceOnly {
            let adding = increasingSize(request.symbol, side: request.side, size: order.remainingSize)
            if adding.isPositive {
                let required = MarginRules.initialMargin(notional: adding * terms.marginPrice,
                                                         leverage: leverage(for: request.symbol, instrument: instrument))
                if required > availableMargin() { return RejectionReason.insufficientMargin }
            }
        }
        if let realism = configuration.realism {
            if let maximum = realism.maximumOrderValue, order.remainingSize * terms.marginPrice > maximum {
                return RejectionReason.exceedsLiquidity
            }
            if random.chance(realism.rejectionProbability) {
                let index = Int(random.next() % UInt64(realism.rejectionReasons.count))
                return realism.rejectionReasons[index]
            }
        }
        return nil
    }

    /// Matches an accepted order: takes liquidity up to its limit (unless it is post only), then
    /// rests the remainder of a Gtc or Alo order, or cancels that of an Ioc. An Ioc that fills
    /// nothing at all ends with `noFillStatus` and the venue's no-liquidity reason.
    mutating func match(_ accepted: Order, terms: MatchingTerms, instrument: Instrument, time: Timestamp,
                        noFillStatus: OrderStatus, into events: inout [ExchangeEvent]) {
        var order = accepted
        let request = order.request
        // Only waiting orders can be exits to drop; without any, the position's look-up is skipped.
        let positionBefore = triggers.orders.isEmpty && resting.isEmpty ? nil : positions[request.symbol]?.size ?? .zero
        var size = order.remainingSize
        if request.reduceOnly { size = FixedDecimal.min(size, reducibleSize(request.symbol, side: request.side)) }
        executions.removeAll(keepingCapacity: true)
        if terms.timeInForce != .alo, size.isPositive {
            var takeSize = size
            if let realism = configuration.realism, size * terms.marginPrice >= realism.partialFillThreshold,
               random.chance(realism.partialFillProbability) {
                let capped = instrument.roundSize(size * random.next(in: realism.partialFillFractions))
                if capped.isPositive { takeSize = capped }
            }
            matching.take(request.symbol, taker: request.side, size: takeSize, limit: terms.limit, into: &executions)
            if let realism = configuration.realism {
                if executions.isEmpty {
                    appendBooklessExecution(request, size: takeSize, limit: terms.limit, instrument: instrument, realism: realism)
                } else {
                    slipExecutions(side: request.side, limit: terms.limit, instrument: instrument, realism: realism)
                }
            }
        }
        // The order's update goes in front of its fills but carries its state after them: until
        // they are booked, a stand-in that is cheaper to write than a copy of the order holds its slot.
        let slot = events.count
        Self.reserve(1 + executions.count, in: &events)
        events.append(.liquidated(Liquidation(accountValue: .zero, maintenanceMargin: .zero, time: time)))
        if !executions.isEmpty {
            let leverage = leverage(for: request.symbol, instrument: instrument)
            for index in executions.indices {
                book(executions[index], for: &order, liquidity: .taker, leverage: leverage, time: time, into: &events)
            }
        }
        order.updatedAt = time
        if order.remainingSize.isZero || (!order.remainingSize.isPositive) {
            order.status = .filled
        } else if request.reduceOnly, reducibleSize(request.symbol, side: request.side).isZero {
            order.cancelRemainder(reason: nil, at: time)
        } else if terms.timeInForce == .ioc {
            if order.filledSize.isPositive {
                order.cancelRemainder(reason: nil, at: time)
            } else {
                order.status = noFillStatus
                order.rejectionReason = RejectionReason.noLiquidity
            }
        } else {
            order.status = .open
            resting.append(order)
        }
        events[slot] = .orderUpdated(order)
        if order.filledSize.isPositive { settleExits(after: order, positionBefore: positionBefore, time: time, into: &events) }
    }

    /// Makes room for `count` more events, growing geometrically so that many matches into one
    /// batch stay linear.
    static func reserve(_ count: Int, in events: inout [ExchangeEvent]) {
        let needed = events.count + count
        if events.capacity < needed { events.reserveCapacity(Swift.max(needed, 2 * events.capacity)) }
    }

    /// With a realism profile, moves the book walk's fills against the taker by the slippage of
    /// the order's notional, never beyond its limit.
    mutating func slipExecutions(side: Side, limit: FixedDecimal, instrument: Instrument, realism: RealismProfile) {
        var notional = FixedDecimal.zero
        for execution in executions { notional += execution.size * execution.price }
        let slippage = realism.slippage(forNotional: notional)
        for index in executions.indices {
            let price = executions[index].price
            executions[index].price = side == .buy
                ? FixedDecimal.min(limit, instrument.roundPrice(price * (.one + slippage), .up))
                : FixedDecimal.max(limit, instrument.roundPrice(price * (.one - slippage), .down))
        }
    }

    /// With a realism profile, a coin whose book side is empty fills at the mid moved by a
    /// slippage that grows with the order's notional.
    mutating func appendBooklessExecution(_ request: OrderRequest, size: FixedDecimal, limit: FixedDecimal,
                                          instrument: Instrument, realism: RealismProfile) {
        guard let quote = matching.quote(for: request.symbol), quote.mid.isPositive,
              quote.book.levels(against: request.side).isEmpty else { return }
        let slippage = realism.slippage(forNotional: size * quote.mid)
        let price: FixedDecimal
        if request.side == .buy {
            price = instrument.roundPrice(quote.mid * (.one + slippage), .up)
            guard price <= limit else { return }
        } else {
            price = instrument.roundPrice(quote.mid * (.one - slippage), .down)
            guard price >= limit, price.isPositive else { return }
        }
        executions.append(Execution(price: price, size: size))
    }
}
