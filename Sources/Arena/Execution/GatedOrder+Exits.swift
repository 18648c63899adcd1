import ArenaCore

/// What an order asks for beyond a market or limit entry with market take-profit and stop-loss:
/// limit exits and a trailing stop placed when it fills, or, for an order that is itself an exit
/// of the open position, its trigger.
public struct ExitTerms: Sendable, Hashable {
    /// The take-profit's limit price (a take-profit-limit); nil for a take-profit-market.
    public var takeProfitLimit: FixedDecimal?
    /// The stop's limit price (a stop-limit); nil for a stop-market.
    public var stopLossLimit: FixedDecimal?
    /// A trailing stop placed with the entry's other exits.
    public var trailingStop: TrailingDistance?
    /// Set when the order is itself a reduce-only exit of the open position.
    public var trigger: PositionExit?

    public init(takeProfitLimit: FixedDecimal? = nil, stopLossLimit: FixedDecimal? = nil, trailingStop: TrailingDistance? = nil,
                trigger: PositionExit? = nil) {
        self.takeProfitLimit = takeProfitLimit
        self.stopLossLimit = stopLossLimit
        self.trailingStop = trailingStop
        self.trigger = trigger
    }
}

/// A take-profit, stop or trailing stop placed on its own on a position already held.
public struct PositionExit: Sendable, Hashable {
    public var kind: TriggerKind
    /// The trigger price; ignored for a trailing stop, which starts at the mark less its distance.
    public var triggerPrice: FixedDecimal?
    /// The limit price of a stop-limit or take-profit-limit; nil for a market exit.
    public var limitPrice: FixedDecimal?
    public var trailing: TrailingDistance?

    public init(kind: TriggerKind, triggerPrice: FixedDecimal?, limitPrice: FixedDecimal? = nil, trailing: TrailingDistance? = nil) {
        self.kind = kind
        self.triggerPrice = triggerPrice
        self.limitPrice = limitPrice
        self.trailing = trailing
    }
}

extension AccountRunner {
    /// The order `gated` asks for, with its never-reused client order id; an entry carries its
    /// exits (take-profit, stop, trailing stop) with ids reserved now, for the venue to place as
    /// one group when it fills.
    func request(for gated: GatedOrder, origin: OrderOrigin, time: Timestamp) -> OrderRequest {
        let instrument = instruments[gated.symbol] ?? Instrument.defaultInstrument(for: gated.symbol)
        let mark = lastMarket?[gated.symbol]?.mark ?? .zero
        if let exit = gated.exits.trigger {
            let trigger = exit.trailing.map { $0.stopPrice(anchor: mark, side: gated.side, instrument: instrument) } ?? exit.triggerPrice ?? .zero
            var request = nextRequest(symbol: gated.symbol, side: gated.side, size: gated.size,
                                      type: .trigger(triggerPrice: trigger, kind: exit.kind, limitPrice: exit.limitPrice),
                                      reduceOnly: true, origin: origin, time: time)
            request.trailing = exit.trailing.map { TrailingStop(distance: $0, anchor: mark) }
            return request
        }
        var request = nextRequest(symbol: gated.symbol, side: gated.side, size: gated.size, type: gated.type,
                                  reduceOnly: gated.reduceOnly, origin: origin, time: time)
        guard !gated.reduceOnly else { return request }
        let exitSide = gated.side.opposite
        if let price = gated.takeProfit {
            request.exits.append(ExitLeg(clientOrderID: reserveOrderID(), kind: .takeProfit, triggerPrice: price,
                                         limitPrice: gated.exits.takeProfitLimit))
        }
        if let price = gated.stopLoss {
            request.exits.append(ExitLeg(clientOrderID: reserveOrderID(), kind: .stopLoss, triggerPrice: price,
                                         limitPrice: gated.exits.stopLossLimit))
        }
        if let trailing = gated.exits.trailingStop {
            let start = trailing.stopPrice(anchor: mark, side: exitSide, instrument: instrument)
            request.exits.append(ExitLeg(clientOrderID: reserveOrderID(), kind: .stopLoss, triggerPrice: start, trailing: trailing))
        }
        return request
    }

    /// The next client order id, reserved for an exit the venue places later.
    private func reserveOrderID() -> ClientOrderID {
        orderSequence += 1
        return ClientOrderID(account: id, sequence: orderSequence)
    }
}
