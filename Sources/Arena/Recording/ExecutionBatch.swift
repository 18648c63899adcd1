import ArenaCore
import Storage

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
    private var pending: [AccountRecorder.Entry] = []
    /// The decision's id once stored, to link the executions to it.
    private(set) var decisionID: Int64?
    /// Whether `finish` stores the decision (`.afterOrders`), so that what goes with it can.
    var storesDecisionOnFinish: Bool { pendingDecision != nil }

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
            recorder.metrics.decisionStored(decision)
        }
    }

    /// Records one executor call's changes, at once or with the decision.
    /// - Throws: A storage error; nothing of the entry is written then.
    mutating func add(_ entry: AccountRecorder.Entry) throws {
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

    /// Writes what is still pending (a decision held for `.afterOrders`, with its executions, and
    /// the driver's new state), in one transaction; returns the decision's id.
    /// - Throws: A storage error; nothing pending is written then.
    @discardableResult
    mutating func finish(driverState: (state: String, time: Timestamp)? = nil) throws -> Int64? {
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
            if let driverState { try transaction.saveDriverState(driverState.state, for: decision.record.accountID, now: driverState.time) }
            return id
        }
        recorder.metrics.decisionStored(decision.record)
        pendingDecision = nil
        pending = []
        decisionID = id
        return id
    }
}
