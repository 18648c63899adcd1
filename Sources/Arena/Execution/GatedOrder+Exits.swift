import ArenaCore

extension GatedOrder {
    /// The reduce-only triggers that protect what filled, take-profit first; none before a fill.
    func exitTriggers(filled: FixedDecimal) -> [OrderType] {
        guard filled.isPositive else { return [] }
        return [(takeProfit, TriggerKind.takeProfit), (stopLoss, TriggerKind.stopLoss)].compactMap { price, kind in
            price.map { OrderType.trigger(triggerPrice: $0, kind: kind, limitPrice: nil) }
        }
    }
}
