import ArenaCore

/// What became of an account's previous decision, shown to its driver at the next call so that a
/// model can correct itself (a refusal's reason, a parse error, a partial fill).
public struct DecisionFeedback: Sendable, Hashable {
    /// How the decision ended, as a whole.
    public enum Result: String, Sendable, Hashable {
        /// Every order it sent filled completely.
        case filled
        /// Some of what it asked for filled, not all.
        case partiallyFilled = "partially_filled"
        /// It sent orders but none filled (refused by the venue, or resting).
        case notFilled = "not_filled"
        /// It asked for nothing to trade.
        case held
        /// The risk gate refused it, so no order was sent.
        case refused
        /// No usable decision came out of the driver (an unreadable or invalid answer, a failed call).
        case failed
    }

    /// The call number of the decision this reports on.
    public var callNumber: Int
    /// When the decision was made (market time).
    public var time: Timestamp
    public var result: Result
    /// Why it was refused or failed, in full words; may quote model text, which is data only.
    public var reason: String?
    /// One line per order it sent, oldest first.
    public var orders: [String]

    /// Creates feedback.
    public init(callNumber: Int, time: Timestamp, result: Result, reason: String? = nil, orders: [String] = []) {
        self.callNumber = callNumber
        self.time = time
        self.result = result
        self.reason = reason
        self.orders = orders
    }

    /// Returns the feedback of a decision that reached the risk gate, from what it did.
    /// - Parameters:
    ///   - report: What the decision did on the venue.
    ///   - callNumber: The decision's call number.
    public init(report: ExecutionReport, callNumber: Int) {
        // The last update of each order is its final state; orders are listed in the order sent.
        var latest: [ClientOrderID: Order] = [:]
        var sequence: [ClientOrderID] = []
        for order in report.orders {
            if latest[order.request.clientOrderID] == nil { sequence.append(order.request.clientOrderID) }
            latest[order.request.clientOrderID] = order
        }
        let orders = sequence.compactMap { latest[$0] }
        var lines: [String] = []
        var asked = 0, complete = 0, partial = 0
        for order in orders {
            let request = order.request
            let what = "\(request.symbol) \(request.side.rawValue) \(request.size)"
            if case .trigger(let price, let kind, _) = request.type {
                let state = order.status == .rejected ? "refused: \(order.rejectionReason ?? "no reason given")" : order.status.rawValue
                lines.append("\(what) \(kind == .takeProfit ? "take-profit" : "stop-loss") trigger at \(price): \(state)")
                continue
            }
            asked += 1
            let price = order.averageFillPrice.map { " at \($0)" } ?? ""
            switch order.status {
            case .filled:
                complete += 1
                lines.append("\(what): filled\(price)")
            case .rejected:
                if order.filledSize.isPositive { partial += 1 }
                lines.append("\(what): refused by the venue: \(order.rejectionReason ?? "no reason given")")
            case .canceled, .partiallyFilled:
                if order.filledSize.isPositive {
                    partial += 1
                    lines.append("\(what): partly filled, \(order.filledSize) of \(request.size)\(price); the rest was cancelled")
                } else {
                    lines.append("\(what): not filled, cancelled\(order.rejectionReason.map { ": \($0)" } ?? "")")
                }
            case .open, .pending, .waitingTrigger:
                if order.filledSize.isPositive { partial += 1 }
                lines.append("\(what): resting, \(order.filledSize) filled so far")
            }
        }
        let result: Result
        if let reason = report.rejectionReason, orders.isEmpty {
            self.init(callNumber: callNumber, time: report.time, result: .refused, reason: reason)
            return
        } else if asked == 0 {
            result = .held
        } else if complete == asked {
            result = .filled
        } else if complete + partial > 0 {
            result = .partiallyFilled
        } else {
            result = .notFilled
        }
        self.init(callNumber: callNumber, time: report.time, result: result, reason: report.rejectionReason, orders: lines)
    }
}
