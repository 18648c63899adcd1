import ArenaCore
import Storage

/// A live account put back on the venue reconciles with it by client order id: the orders the
/// ledger holds as open are followed again (those the venue no longer has get their true status
/// from its order status and fills), and orders open at the venue that the ledger did not hold are
/// reported with an alert, then followed and stored.
extension ArenaRuntime {
    /// Gives a live executor the ledger's open orders and newest fill and funding times, before
    /// its first reconciliation.
    func adoptLedger(into executor: HyperliquidExecutor, of id: AccountID) async {
        do {
            let state = try ledger.liveReconciliationState(of: id)
            await executor.adoptLedger(openOrders: state.openOrders, lastFill: state.lastFill, lastFunding: state.lastFunding)
        } catch {
            logger.error("could not read the ledger's open orders for reconciliation", metadata: ["account.id": "\(id)", "error": "\(error)"])
        }
    }

    /// Records an alert naming the orders the reconciliation found at the venue that the ledger
    /// did not hold as open.
    func reportOrdersUnknownToLedger(_ executor: HyperliquidExecutor, of id: AccountID) async {
        let unknown = await executor.ordersUnknownToLedger
        guard !unknown.isEmpty else { return }
        await executor.clearUnknownOrders()
        let message = "Reconciliation found \(unknown.count) order(s) open at the venue that the ledger did not hold as open: "
            + unknown.prefix(20).map(\.hex).joined(separator: ", ") + (unknown.count > 20 ? ", ..." : "")
            + ". They are followed and stored from now on; check who placed them."
        logger.warning("orders unknown to the ledger found at the venue", metadata: ["account.id": "\(id)", "count": "\(unknown.count)"])
        do {
            try recorder.record([FeedDraft(.alert, accountID: id, time: marketTime, data: AlertView(kind: "reconciliation", message: message))])
        } catch {
            logger.error("could not record an alert", metadata: ["error": "\(error)", "alert": "\(message)"])
        }
    }
}
