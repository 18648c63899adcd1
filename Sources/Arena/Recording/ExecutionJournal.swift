import ArenaCore
import Storage

/// One account's record of what its executor did: turns executor events into the ledger's rows
/// and the feed's messages, and keeps the running totals they add up to.
struct ExecutionJournal: Sendable {
    let accountID: AccountID
    private(set) var totals: LedgerTotals

    init(accountID: AccountID, totals: LedgerTotals) {
        self.accountID = accountID
        self.totals = totals
    }

    /// A change to record: the ledger's rows and the feed's messages for one executor call.
    struct Entry: Sendable {
        var execution: ExecutionRecord
        var feed: [FeedDraft]
    }

    /// Folds `events` into the totals and returns what to record for them.
    /// - Parameter state: The account right after the events.
    /// - Throws: `EncodingError` when a feed payload cannot be encoded.
    mutating func entry(for events: [ExchangeEvent], decisionID: Int64?, mode: AccountMode, state: AccountState,
                        orderSequence: UInt64, accountName: String, time: Timestamp) throws -> Entry {
        totals.add(events)
        var touched = Set<Symbol>()
        for case .filled(let fill) in events { touched.insert(fill.symbol) }
        let positions = touched.sorted().map { state.positions[$0] ?? Position(symbol: $0) }
        let execution = ExecutionRecord(accountID: accountID, decisionID: decisionID, mode: mode, events: events, cash: state.cash,
                                        totals: totals, positions: positions, orderSequence: orderSequence, time: time)
        return Entry(execution: execution, feed: try Self.feed(for: events, accountID: accountID, mode: mode, accountName: accountName))
    }

    /// The feed messages that report executor events.
    static func feed(for events: [ExchangeEvent], accountID: AccountID, mode: AccountMode, accountName: String) throws -> [FeedDraft] {
        try events.map { event in
            switch event {
            case .orderUpdated(let order):
                try FeedDraft(.order, accountID: accountID, time: order.updatedAt, data: OrderView(id: nil, accountID: accountID, mode: mode, order: order))
            case .filled(let fill):
                try FeedDraft(.fill, accountID: accountID, time: fill.time, data: FillView(accountID: accountID, fill: fill))
            case .fundingPaid(let payment):
                try FeedDraft(.funding, accountID: accountID, time: payment.time, data: FundingView(
                    symbol: payment.symbol.name, rate: payment.rate.description, position_size: payment.positionSize.description,
                    amount: payment.amount.description, time: payment.time.milliseconds))
            case .liquidated(let liquidation):
                try FeedDraft(.alert, accountID: accountID, time: liquidation.time, data: AlertView(
                    kind: "liquidation",
                    message: "\(accountName) was liquidated: account value \(liquidation.accountValue) fell below maintenance margin \(liquidation.maintenanceMargin).",
                    account_value: liquidation.accountValue.description, maintenance_margin: liquidation.maintenanceMargin.description))
            }
        }
    }
}

/// How an executor's results must reach the ledger when a decision places orders; each executor
/// declares its own.
public enum DecisionCommit: Sendable, Hashable {
    /// The venue lives in this process and dies with it, so nothing it did can outlive an
    /// unwritten ledger: the decision and everything its orders changed go in one transaction,
    /// after the orders.
    case afterOrders
    /// The venue acts on its own: the decision is stored before its first order goes out, and
    /// each order's changes as they happen.
    case beforeOrders
}

/// The ledger writes of one decision (or of an operator's action, with no decision): collected
/// into one transaction or written as they happen, as the executor's `DecisionCommit` requires.
struct ExecutionBatch {
    private let recorder: Recorder
    private var pendingDecision: (record: DecisionRecord, feed: @Sendable (Int64) throws -> FeedDraft)?
    private var pending: [ExecutionJournal.Entry] = []
    /// The decision's id once stored, to link the executions to it.
    private(set) var decisionID: Int64?

    /// A batch for changes that belong to no decision: each is written at once.
    init(recorder: Recorder) {
        self.recorder = recorder
    }

    /// A batch for a decision's orders; with `.beforeOrders` the decision is stored now.
    /// - Parameter feed: The decision's feed message, given its id.
    /// - Throws: A storage error storing the decision (`.beforeOrders`); then no order may go out.
    init(decision: DecisionRecord, commit: DecisionCommit, recorder: Recorder,
         feed: @escaping @Sendable (Int64) throws -> FeedDraft) throws {
        self.recorder = recorder
        switch commit {
        case .afterOrders:
            pendingDecision = (decision, feed)
        case .beforeOrders:
            decisionID = try recorder.record { transaction, messages in
                let id = try transaction.insertDecision(decision)
                messages.append(try feed(id))
                return id
            }
        }
    }

    /// Records one executor call's changes, at once or with the decision.
    /// - Throws: A storage error; nothing of the entry is written then.
    mutating func add(_ entry: ExecutionJournal.Entry) throws {
        if pendingDecision != nil {
            pending.append(entry)
        } else {
            var linked = entry
            linked.execution.decisionID = decisionID
            try recorder.record { transaction, feed in
                try transaction.writeExecutions([linked.execution])
                feed += linked.feed
            }
        }
    }

    /// Writes what is still pending (a decision held for `.afterOrders`, with its executions),
    /// in one transaction; returns the decision's id.
    /// - Throws: A storage error; nothing pending is written then.
    @discardableResult
    mutating func finish() throws -> Int64? {
        guard let decision = pendingDecision else { return decisionID }
        let executions = pending
        let id = try recorder.record { transaction, feed in
            let id = try transaction.insertDecision(decision.record)
            feed.append(try decision.feed(id))
            try transaction.writeExecutions(executions.map { entry in
                var linked = entry.execution
                linked.decisionID = id
                return linked
            })
            for entry in executions { feed += entry.feed }
            return id
        }
        pendingDecision = nil
        pending = []
        decisionID = id
        return id
    }
}
