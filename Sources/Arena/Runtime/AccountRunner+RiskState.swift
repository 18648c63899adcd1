import ArenaCore
import Storage

/// The account's risk state kept in the ledger as it changes, so that a restart gets back the
/// day's loss baseline, the high-water mark and every halt, with who set it and why.
extension AccountRunner {
    /// The actor of what the risk engine does by itself (the drawdown halt).
    static let riskActor = "risk"
    /// The actor of what the arena does by itself (start-up, mode switches).
    public static let systemActor = "system"

    /// Follows the account's equity at a market update: stores the day's baseline and the
    /// high-water mark whenever they move, records the daily-loss halt when it begins and ends,
    /// and halts the account at its drawdown limit.
    func observeRisk(_ state: AccountState, time: Timestamp) {
        let before = risk.persistentState
        let halt = risk.observe(equity: state.equity, at: time, account: riskAccount(state))
        var event: RiskEventRecord?
        switch risk.dailyLossChange(equity: state.equity) {
        case .reached(let reason)?:
            event = RiskEventRecord(accountID: id, time: time, action: .dailyLossHalt, actor: Self.riskActor, reason: reason, equity: state.equity)
        case .cleared(let reason)?:
            event = RiskEventRecord(accountID: id, time: time, action: .dailyLossCleared, actor: Self.riskActor, reason: reason, equity: state.equity)
        case nil:
            break
        }
        if let halt {
            // The transition stores the risk state with the halt.
            transition(to: .halted, actor: Self.riskActor, reason: halt, equity: state.equity, time: time)
            if event == nil { return }
        }
        let after = risk.persistentState
        guard after != before || event != nil else { return }
        let accountID = id
        do {
            try recording.recorder.record { transaction, feed in
                try transaction.saveRiskState(after, for: accountID, now: time)
                if let event {
                    try transaction.insertRiskEvent(event)
                    feed.append(FeedDraft(.alert, accountID: accountID, time: time, data: AlertView(kind: event.action.rawValue, message: event.reason)))
                }
            }
        } catch {
            logger.error("could not store the risk state", metadata: ["error": "\(error)"])
        }
    }

    /// Changes the account's status and stores, in one transaction, the status, the risk event
    /// that says who did it and why, the risk state and the alert that reports it. Resuming
    /// (to `active`) starts the drawdown measure again from the equity now.
    func transition(to status: AccountStatus, actor: String, reason: String, equity: FixedDecimal?, time: Timestamp) {
        guard record.status != status else { return }
        record.status = status
        if status == .active, let equity { risk.resetHighWaterMark(to: equity) }
        let action: RiskEventAction = switch status {
        case .active: .resume
        case .paused: .pause
        case .halted: .halt
        case .archived: .archive
        }
        let event = RiskEventRecord(accountID: id, time: time, action: action, actor: actor, reason: reason, equity: equity)
        let state = risk.persistentState
        let accountID = id
        do {
            try recording.recorder.record { transaction, feed in
                try transaction.setStatus(status, for: accountID, now: time)
                try transaction.insertRiskEvent(event)
                try transaction.saveRiskState(state, for: accountID, now: time)
                feed.append(FeedDraft(.alert, accountID: accountID, time: time, data: AlertView(kind: status.rawValue, message: reason)))
            }
        } catch {
            logger.error("could not store the account's status", metadata: ["error": "\(error)"])
        }
        logger.warning("account status changed", metadata: ["status": "\(status.rawValue)", "actor": "\(actor)", "reason": "\(reason)"])
    }
}
