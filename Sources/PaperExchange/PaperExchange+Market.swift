public import ArenaCore

extension PaperExchange {
    /// Feeds the market to the account and returns what it caused, in this order: funding at each
    /// whole hour crossed since the previous snapshot, fills of resting limits the market traded
    /// through (maker fee), triggers the mark reached, orders whose latency has passed, and a
    /// liquidation when the account value falls below maintenance margin.
    ///
    /// Every book's depth becomes fully available again: liquidity one order took in the previous
    /// snapshot can be taken again in this one, but not twice within it.
    public mutating func apply(_ snapshot: MarketSnapshot) -> [ExchangeEvent] {
        var events: [ExchangeEvent] = []
        let time = snapshot.time
        matching.load(snapshot)
        if let last = lastSnapshotTime {
            payFunding(after: last, through: time, into: &events)
        }
        if lastSnapshotTime.map({ time > $0 }) ?? true { lastSnapshotTime = time }
        if !resting.isEmpty { fillRestingOrders(in: snapshot, time: time, into: &events) }
        if !triggers.orders.isEmpty { fireTriggers(in: snapshot, time: time, into: &events) }
        if !pending.isEmpty { matureLatentOrders(time: time, into: &events) }
        if !positions.isEmpty { liquidateIfNeeded(time: time, into: &events) }
        return events
    }

    /// Pays funding on every open position at each whole hour in (`start`, `end`], at the latest
    /// mark and funding rate of its coin.
    mutating func payFunding(after start: Timestamp, through end: Timestamp, into events: inout [ExchangeEvent]) {
        let hours = FundingModel.boundaries(after: start, through: end)
        guard !hours.isEmpty, !positions.isEmpty else { return }
        for hour in hours {
            for symbol in positions.keys.sorted() {
                guard let position = positions[symbol], !position.isFlat,
                      let quote = matching.quote(for: symbol), quote.mark.isPositive else { continue }
                let amount = FundingModel.payment(positionSize: position.size, price: quote.mark, rate: quote.fundingRate)
                guard !amount.isZero else { continue }
                cash += amount
                ledger.funding += amount
                events.append(.fundingPaid(FundingPayment(symbol: symbol, rate: quote.fundingRate, positionSize: position.size,
                                                          price: quote.mark, amount: amount, time: hour)))
            }
        }
    }

    /// Fills resting limits whose price the opposite side of the new book has moved strictly
    /// through, at the limit price with the maker fee, up to the depth beyond that price.
    mutating func fillRestingOrders(in snapshot: MarketSnapshot, time: Timestamp, into events: inout [ExchangeEvent]) {
        let orders = resting
        resting = []
        var kept: [Order] = []
        var filled: [(order: Order, positionBefore: FixedDecimal)] = []
        for original in orders {
            var order = original
            let request = order.request
            guard snapshot.quotes[request.symbol] != nil, let price = Self.restingPrice(of: request) else {
                kept.append(order)
                continue
            }
            var size = order.remainingSize
            if request.reduceOnly {
                size = FixedDecimal.min(size, reducibleSize(request.symbol, side: request.side))
                if size.isZero {
                    order.cancelRemainder(reason: RejectionReason.reduceOnlyIncreases, at: time)
                    events.append(.orderUpdated(order))
                    continue
                }
            }
            executions.removeAll(keepingCapacity: true)
            let taken = matching.take(request.symbol, taker: request.side, size: size, limit: price, strictly: true, into: &executions)
            guard taken.isPositive else {
                kept.append(order)
                continue
            }
            let slot = events.count
            events.append(.orderUpdated(order))
            filled.append((order, positions[request.symbol]?.size ?? .zero))
            book(Execution(price: price, size: taken), for: &order, liquidity: .maker, leverage: leverage(for: request.symbol),
                 time: time, into: &events)
            order.updatedAt = time
            if order.remainingSize.isPositive {
                kept.append(order)
            } else {
                order.status = .filled
            }
            events[slot] = .orderUpdated(order)
            filled[filled.count - 1].order = order
        }
        resting = kept + resting
        // Exits are settled once the book walk is over, so that they never touch the list it walks.
        for (order, before) in filled { settleExits(after: order, positionBefore: before, time: time, into: &events) }
    }

    /// Fires the trigger orders whose price the new mark reached, oldest first per coin, coins in
    /// symbol order. A fired order that cannot be placed is cancelled with the venue's reason.
    mutating func fireTriggers(in snapshot: MarketSnapshot, time: Timestamp, into events: inout [ExchangeEvent]) {
        for symbol in snapshot.symbols {
            guard let quote = snapshot.quotes[symbol], quote.mark.isPositive else { continue }
            trailStops(symbol, mark: quote.mark, time: time, into: &events)
            for fired in triggers.fire(symbol, mark: quote.mark) {
                var order = fired
                order.midAtSubmission = quote.mid
                order.status = .pending
                let instrument = configuration.instrument(for: symbol)
                let terms = matchingTerms(of: order.request, instrument: instrument, reference: quote.mid)
                if let reason = preMatchRejection(of: order, terms: terms, instrument: instrument) {
                    order.cancelRemainder(reason: reason, at: time)
                    events.append(.orderUpdated(order))
                    continue
                }
                match(order, terms: terms, instrument: instrument, time: time, noFillStatus: .canceled, into: &events)
            }
        }
    }

    /// Matches the orders whose simulated latency has passed, in submission order, against the
    /// current books. A market order keeps the price bound computed from the mid it was sent at.
    mutating func matureLatentOrders(time: Timestamp, into events: inout [ExchangeEvent]) {
        let all = pending
        pending = []
        var kept: [PendingOrder] = []
        for entry in all {
            guard entry.due <= time else {
                kept.append(entry)
                continue
            }
            var order = entry.order
            let instrument = configuration.instrument(for: order.request.symbol)
            let reference = order.midAtSubmission ?? matching.quote(for: order.request.symbol)?.mid ?? .zero
            let terms = matchingTerms(of: order.request, instrument: instrument, reference: reference)
            if let reason = preMatchRejection(of: order, terms: terms, instrument: instrument) {
                order.status = .rejected
                order.rejectionReason = reason
                order.updatedAt = time
                events.append(.orderUpdated(order))
                continue
            }
            match(order, terms: terms, instrument: instrument, time: time, noFillStatus: .rejected, into: &events)
        }
        pending = kept + pending
    }

    /// Liquidates the account when its value is below maintenance margin: records the
    /// liquidation, cancels every open order, and closes each position at market through the
    /// book; what the book cannot absorb the venue's backstop takes over at the mark, without fee.
    mutating func liquidateIfNeeded(time: Timestamp, into events: inout [ExchangeEvent]) {
        let value = accountValue()
        // The marks come from the matching engine alone: a closure over `self` (`markPrice(of:)`)
        // copied the whole exchange at every market step.
        let maintenance = LiquidationEngine.maintenanceMargin(of: positions, configuration: configuration) { [matching] position in
            Self.markPrice(of: position, in: matching)
        }
        guard MarginRules.isLiquidatable(accountValue: value, maintenanceMargin: maintenance) else { return }
        events.append(.liquidated(Liquidation(accountValue: value, maintenanceMargin: maintenance, time: time)))
        for var order in openOrders {
            order.cancelRemainder(reason: LiquidationEngine.cancellationReason, at: time)
            events.append(.orderUpdated(order))
        }
        resting = []
        pending = []
        triggers = TriggerBook()
        for (index, symbol) in positions.keys.sorted().enumerated() {
            guard let position = positions[symbol], !position.isFlat else { continue }
            let side: Side = position.size.isPositive ? .sell : .buy
            let request = OrderRequest(clientOrderID: LiquidationEngine.orderID(time: time, index: index), symbol: symbol,
                                       side: side, size: position.size.magnitude,
                                       type: .market(slippageBound: OrderType.defaultSlippageBound),
                                       reduceOnly: true, origin: .liquidation)
            var order = Order(request: request, status: .pending, submittedAt: time, midAtSubmission: matching.quote(for: symbol)?.mid)
            assignVenueID(&order)
            let slot = events.count
            events.append(.orderUpdated(order))
            executions.removeAll(keepingCapacity: true)
            matching.take(symbol, taker: side, size: request.size, limit: nil, into: &executions)
            let leverage = leverage(for: symbol)
            for index in executions.indices {
                book(executions[index], for: &order, liquidity: .taker, leverage: leverage, time: time, isLiquidation: true,
                     into: &events)
            }
            if order.remainingSize.isPositive {
                book(Execution(price: markPrice(of: position), size: order.remainingSize), for: &order, liquidity: .taker,
                     fee: .zero, leverage: leverage, time: time, isLiquidation: true, into: &events)
            }
            order.status = .filled
            order.updatedAt = time
            events[slot] = .orderUpdated(order)
        }
    }
}
