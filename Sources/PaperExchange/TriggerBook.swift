public import ArenaCore

/// Take-profit and stop-loss orders waiting for the mark to reach their trigger price, in the
/// order they were placed.
public struct TriggerBook: Sendable, Hashable {
    /// The waiting orders, oldest first.
    public private(set) var orders: [Order] = []

    /// Creates an empty book.
    public init() {}

    /// Adds a waiting order at the back.
    public mutating func add(_ order: Order) { orders.append(order) }

    /// Removes and returns the order with `clientOrderID`, if it waits here.
    public mutating func remove(_ clientOrderID: ClientOrderID) -> Order? {
        guard let index = orders.firstIndex(where: { $0.request.clientOrderID == clientOrderID }) else { return nil }
        return orders.remove(at: index)
    }

    /// Replaces the waiting order that has the same client order id, keeping its place.
    public mutating func replace(_ order: Order) {
        guard let index = orders.firstIndex(where: { $0.request.clientOrderID == order.request.clientOrderID }) else { return }
        orders[index] = order
    }

    /// Removes every order and returns them, oldest first.
    public mutating func removeAll() -> [Order] {
        defer { orders.removeAll() }
        return orders
    }

    /// Removes and returns, oldest first, the orders of `symbol` whose trigger `mark` has reached.
    public mutating func fire(_ symbol: Symbol, mark: FixedDecimal) -> [Order] {
        guard orders.contains(where: { $0.request.symbol == symbol }) else { return [] }
        var fired: [Order] = []
        orders.removeAll { order in
            guard order.request.symbol == symbol, Self.isTriggered(order.request, mark: mark) else { return false }
            fired.append(order)
            return true
        }
        return fired
    }

    /// Returns whether `mark` fires a trigger order: a sell stop-loss or a buy take-profit when
    /// the mark falls to the trigger, a sell take-profit or a buy stop-loss when it rises to it.
    public static func isTriggered(_ request: OrderRequest, mark: FixedDecimal) -> Bool {
        guard case let .trigger(triggerPrice, kind, _) = request.type else { return false }
        switch (request.side, kind) {
        case (.sell, .stopLoss), (.buy, .takeProfit): return mark <= triggerPrice
        case (.sell, .takeProfit), (.buy, .stopLoss): return mark >= triggerPrice
        }
    }
}

extension TriggerBook {
    /// Moves the trailing stops of `symbol` after `mark` (a sell stop up behind a new high, a buy
    /// stop down behind a new low; never back) and returns those whose trigger moved.
    public mutating func trail(_ symbol: Symbol, mark: FixedDecimal, instrument: Instrument, time: Timestamp) -> [Order] {
        guard orders.contains(where: { $0.request.trailing != nil }) else { return [] }
        var moved: [Order] = []
        for index in orders.indices where orders[index].request.symbol == symbol && orders[index].request.trailing != nil {
            var order = orders[index]
            guard var trailing = order.request.trailing, trailing.follow(mark, side: order.request.side),
                  case let .trigger(oldTrigger, kind, limit) = order.request.type else { continue }
            order.request.trailing = trailing
            let stop = trailing.distance.stopPrice(anchor: trailing.anchor, side: order.request.side, instrument: instrument)
            let better = order.request.side == .sell ? stop > oldTrigger : stop < oldTrigger
            orders[index] = order
            guard better else { continue }
            order.request.type = .trigger(triggerPrice: stop, kind: kind, limitPrice: limit)
            order.updatedAt = time
            orders[index] = order
            moved.append(order)
        }
        return moved
    }
}
