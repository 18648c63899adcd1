import ArenaCore
import Storage

/// The arena-wide kill switch kept in the ledger, and what operators read of the risk history.
extension ArenaRuntime {
    /// Engages the kill switch again if the previous run stopped with it engaged.
    /// - Throws: A storage error.
    func restoreKillSwitch() throws {
        guard let stored = try ledger.killSwitch() else { return }
        tradingSwitch.engage(reason: "The kill switch is engaged: \(stored.reason)")
        logger.critical("kill switch still engaged from before the restart",
                        metadata: ["reason": "\(stored.reason)", "actor": "\(stored.actor)"])
    }

    /// Stores the kill switch's new state, the risk event that says who and why, and the alert
    /// that reports it, in one transaction.
    func recordKillSwitch(engaged: Bool, reason: String, actor: String) {
        let time = marketTime
        let event = RiskEventRecord(accountID: nil, time: time, action: engaged ? .killSwitchEngaged : .killSwitchReleased,
                                    actor: actor, reason: reason, equity: nil)
        let message = engaged ? "Kill switch engaged by \(actor): \(reason)" : "Kill switch released by \(actor): \(reason). Trading resumes."
        do {
            try recorder.record { transaction, feed in
                try transaction.saveKillSwitch(engaged ? StoredKillSwitch(reason: reason, actor: actor, engagedAt: time) : nil)
                try transaction.insertRiskEvent(event)
                feed.append(FeedDraft(.alert, time: time, data: AlertView(kind: "kill_switch", message: message)))
            }
        } catch {
            logger.error("could not store the kill switch", metadata: ["error": "\(error)", "engaged": "\(engaged)"])
        }
    }

    /// Risk events newest first: an account's halts, pauses and resumes, or the kill switch's
    /// changes when `accountID` is nil.
    public func riskEvents(of accountID: AccountID?, before: Int64?, limit: Int) throws -> [RiskEventRecord] {
        try ledger.riskEvents(of: accountID, before: before, limit: limit)
    }

    /// An account's stored risk state (the day's baseline and the high-water mark).
    public func riskState(of id: AccountID) throws -> StoredRiskState? { try ledger.riskState(of: id) }

    /// Compares the orders the ledger holds as open (or waiting for their trigger) with the ones
    /// the account's executor holds now; nil for an account that is not running.
    public func openOrderCheck(of id: AccountID) async throws -> OpenOrderCheck? {
        guard let runner = runner(id) else { return nil }
        let engine = Set(await runner.openOrdersNow().map(\.request.clientOrderID.hex))
        let ledgerOpen = Set(try ledger.orders(of: id, before: nil, limit: 100_000, statuses: OpenOrderCheck.restingStatuses, symbol: nil)
            .map(\.order.request.clientOrderID.hex))
        return OpenOrderCheck(ledger_open: ledgerOpen.count, engine_open: engine.count,
                              missing_in_engine: ledgerOpen.subtracting(engine).sorted(),
                              unknown_to_ledger: engine.subtracting(ledgerOpen).sorted())
    }
}

/// The ledger's open orders against the executor's: `missing_in_engine` shows `open` in the
/// ledger but is not held by the engine; `unknown_to_ledger` is held but not stored as open.
public struct OpenOrderCheck: Codable, Sendable, Hashable {
    public var ledger_open: Int
    public var engine_open: Int
    public var missing_in_engine: [String]
    public var unknown_to_ledger: [String]

    /// The statuses of an order still resting on the book or waiting for its trigger.
    public static let restingStatuses: Set<OrderStatus> = [.pending, .open, .waitingTrigger]

    /// Whether the two agree.
    public var consistent: Bool { missing_in_engine.isEmpty && unknown_to_ledger.isEmpty }
}
