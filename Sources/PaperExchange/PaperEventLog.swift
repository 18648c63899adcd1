public import ArenaCore

/// Writes events as stable text, one line each, so that two runs can be compared byte for byte
/// and a run can be checked against a log kept in the repository.
public enum PaperEventLog {
    /// Returns the events as text: one line per event, each ending in a newline.
    public static func text(_ events: [ExchangeEvent]) -> String {
        var text = ""
        for event in events {
            text += line(event)
            text += "\n"
        }
        return text
    }

    /// Returns one event as a line of `key=value` fields in a fixed order.
    public static func line(_ event: ExchangeEvent) -> String {
        switch event {
        case let .orderUpdated(order):
            let request = order.request
            var fields = [
                "order", "id=\(request.clientOrderID)", "venue_id=\(order.venueOrderID.map(String.init) ?? "-")",
                "symbol=\(request.symbol)", "side=\(request.side.rawValue)", "type=\(describe(request.type))",
                "size=\(request.size)", "reduce_only=\(request.reduceOnly)", "origin=\(request.origin.rawValue)",
                "status=\(order.status.rawValue)", "filled=\(order.filledSize)",
                "average=\(order.averageFillPrice.map(\.description) ?? "-")", "fee=\(order.fee)",
                "mid=\(order.midAtSubmission.map(\.description) ?? "-")",
                "slippage_bps=\(order.slippageBasisPoints.map(\.description) ?? "-")",
                "submitted=\(order.submittedAt.milliseconds)", "updated=\(order.updatedAt.milliseconds)",
            ]
            if let group = request.group { fields.append("group=\(group)") }
            if let trailing = request.trailing { fields.append("trail=\(trailing.distance.text)/\(trailing.anchor)") }
            if !request.exits.isEmpty { fields.append("exits=\(request.exits.map { "\($0.kind.rawValue):\($0.clientOrderID)" }.joined(separator: ","))") }
            if let reason = order.rejectionReason { fields.append("reason=\"\(reason)\"") }
            return fields.joined(separator: " ")
        case let .filled(fill):
            return ["fill", "id=\(fill.clientOrderID)", "symbol=\(fill.symbol)", "side=\(fill.side.rawValue)",
                    "price=\(fill.price)", "size=\(fill.size)", "fee=\(fill.fee)", "liquidity=\(fill.liquidity.rawValue)",
                    "realized=\(fill.realizedPnl)", "liquidation=\(fill.isLiquidation)", "time=\(fill.time.milliseconds)"]
                .joined(separator: " ")
        case let .fundingPaid(payment):
            return ["funding", "symbol=\(payment.symbol)", "rate=\(payment.rate)", "position=\(payment.positionSize)",
                    "price=\(payment.price)", "amount=\(payment.amount)", "time=\(payment.time.milliseconds)"]
                .joined(separator: " ")
        case let .liquidated(liquidation):
            return ["liquidation", "account_value=\(liquidation.accountValue)",
                    "maintenance=\(liquidation.maintenanceMargin)", "time=\(liquidation.time.milliseconds)"]
                .joined(separator: " ")
        }
    }

    static func describe(_ type: OrderType) -> String {
        switch type {
        case let .market(bound): "market/\(bound)"
        case let .limit(price, timeInForce): "limit/\(price)/\(timeInForce.rawValue)"
        case let .trigger(triggerPrice, kind, limitPrice): "trigger/\(kind.rawValue)/\(triggerPrice)/\(limitPrice.map(\.description) ?? "market")"
        }
    }
}
