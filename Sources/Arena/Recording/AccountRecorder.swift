import ArenaCore
import Drivers
import Logging
import Storage

/// One account's way into the ledger and the feed: turns executor events into the ledger's rows
/// and the feed's messages, keeps the running totals they add up to, and records decisions,
/// status changes and driver state, each with the feed message that reports it.
struct AccountRecorder: Sendable {
    let accountID: AccountID
    let recorder: Recorder
    private(set) var totals: LedgerTotals
    private let logger: Logger

    init(accountID: AccountID, totals: LedgerTotals, recorder: Recorder, logger: Logger) {
        self.accountID = accountID
        self.totals = totals
        self.recorder = recorder
        self.logger = logger
    }

    /// A change to record: the ledger's rows and the feed's messages for one executor call.
    struct Entry: Sendable {
        var execution: ExecutionRecord
        var feed: [FeedDraft]
    }

    /// A batch for changes that belong to no decision: each is written at once.
    func batch() -> ExecutionBatch { ExecutionBatch(recorder: recorder) }

    /// A batch for a decision's orders, committed as `commit` requires (with `.beforeOrders` the
    /// decision is stored now).
    /// - Throws: A storage error storing the decision; then no order may go out.
    func batch(for decision: DecisionRecord, commit: DecisionCommit, justification: String?, actions: [String]) throws -> ExecutionBatch {
        try ExecutionBatch(decision: decision, commit: commit, recorder: recorder) { decisionID in
            decision.feedDraft(id: decisionID, justification: justification, actions: actions)
        }
    }

    /// Records what one executor call did, at once or with the batch's decision, and folds it
    /// into the totals.
    /// - Parameter state: The account right after the events.
    /// - Throws: A storage or encoding error; the totals have moved then, and the caller must halt.
    mutating func record(_ events: [ExchangeEvent], in batch: inout ExecutionBatch, state: AccountState, mode: AccountMode,
                         orderSequence: UInt64, accountName: String, time: Timestamp) throws {
        guard !events.isEmpty else { return }
        for event in events {
            switch event {
            case .orderUpdated(let order) where order.status == .rejected:
                logger.info("order rejected", metadata: ["order.cloid": "\(order.request.clientOrderID)",
                                                         "reason": "\(order.rejectionReason ?? "")"])
            case .liquidated(let liquidation):
                logger.warning("account liquidated", metadata: ["account_value": "\(liquidation.accountValue)"])
            default:
                break
            }
        }
        totals.add(events)
        recorder.metrics.executorEvents(events, account: accountID, mode: mode)
        var touched = Set<Symbol>()
        for case .filled(let fill) in events { touched.insert(fill.symbol) }
        let positions = touched.sorted().map { state.positions[$0] ?? Position(symbol: $0) }
        let execution = ExecutionRecord(accountID: accountID, decisionID: batch.decisionID, mode: mode, events: events, cash: state.cash,
                                        totals: totals, positions: positions, orderSequence: orderSequence, time: time)
        try batch.add(Entry(execution: execution, feed: Self.feed(for: events, accountID: accountID, mode: mode, accountName: accountName)))
    }

    /// Stores a decision that placed no order, with its feed message, the driver's alert and its
    /// new state, if any.
    /// - Throws: A storage or encoding error; nothing is stored then.
    func store(_ decision: DecisionRecord, justification: String?, actions: [String], alert: DriverAlert? = nil,
               driverState: (state: String, time: Timestamp)? = nil) throws {
        try recorder.record { transaction, feed in
            let decisionID = try transaction.insertDecision(decision)
            feed.append(decision.feedDraft(id: decisionID, justification: justification, actions: actions))
            if let alert {
                feed.append(FeedDraft(.alert, accountID: accountID, time: decision.time, data: AlertView(kind: alert.kind, message: alert.message)))
            }
            if let driverState { try transaction.saveDriverState(driverState.state, for: accountID, now: driverState.time) }
        }
        recorder.metrics.decisionStored(decision)
    }

    /// Stores the account's status with the alert that reports it.
    /// - Throws: A storage or encoding error; nothing is stored then.
    func store(_ status: AccountStatus, time: Timestamp, alert: String?) throws {
        try recorder.record { transaction, feed in
            try transaction.setStatus(status, for: accountID, now: time)
            if let alert {
                feed.append(FeedDraft(.alert, accountID: accountID, time: time, data: AlertView(kind: status.rawValue, message: alert)))
            }
        }
    }

    /// Saves the driver's state, so a restart resumes it.
    /// - Throws: A storage error.
    func storeDriverState(_ state: String, time: Timestamp) throws {
        try recorder.record { transaction, _ in try transaction.saveDriverState(state, for: accountID, now: time) }
    }

    /// Records an alert that reports no other change.
    /// - Throws: A storage or encoding error.
    func alert(kind: String, message: String, time: Timestamp) throws {
        try recorder.record([FeedDraft(.alert, accountID: accountID, time: time, data: AlertView(kind: kind, message: message))])
    }

    /// The feed messages that report executor events.
    static func feed(for events: [ExchangeEvent], accountID: AccountID, mode: AccountMode, accountName: String) -> [FeedDraft] {
        events.map { event in
            switch event {
            case .orderUpdated(let order):
                FeedDraft(.order, accountID: accountID, symbol: order.request.symbol, time: order.updatedAt, data: OrderView(id: nil, accountID: accountID, mode: mode, order: order))
            case .filled(let fill):
                FeedDraft(.fill, accountID: accountID, symbol: fill.symbol, time: fill.time, data: FillView(accountID: accountID, fill: fill))
            case .fundingPaid(let payment):
                FeedDraft(.funding, accountID: accountID, symbol: payment.symbol, time: payment.time, data: FundingView(
                    symbol: payment.symbol.name, rate: payment.rate.description, position_size: payment.positionSize.description,
                    amount: payment.amount.description, time: payment.time.milliseconds))
            case .liquidated(let liquidation):
                FeedDraft(.alert, accountID: accountID, time: liquidation.time, data: AlertView(
                    kind: "liquidation",
                    message: "\(accountName) was liquidated: account value \(liquidation.accountValue) fell below maintenance margin \(liquidation.maintenanceMargin).",
                    account_value: liquidation.accountValue.description, maintenance_margin: liquidation.maintenanceMargin.description))
            }
        }
    }
}
