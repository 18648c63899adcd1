import ArenaCore
import Foundation
import GRDB

extension LedgerStore {
    /// What a live account's executor needs from the ledger to reconcile with the venue after a
    /// restart: its live orders not yet final, the time of its newest live fill and of its newest
    /// funding payment.
    /// - Throws: A SQLite error or `StorageError.corruptValue`.
    public func liveReconciliationState(of id: AccountID) throws -> (openOrders: [Order], lastFill: Timestamp?, lastFunding: Timestamp?) {
        let open = try orders(of: id, before: nil, limit: 10_000, statuses: [.pending, .open, .waitingTrigger], symbol: nil)
            .filter { $0.mode == .live }.map(\.order)
        let (lastFill, lastFunding) = try database.read { db in
            let fill = try Int64.fetchOne(db, sql: """
                SELECT MAX(f.time) FROM fills f JOIN orders o ON o.id = f.order_id WHERE f.account_id = ? AND o.mode = 'live'
                """, arguments: [id.rawValue])
            let funding = try Int64.fetchOne(db, sql: "SELECT MAX(time) FROM funding_payments WHERE account_id = ?", arguments: [id.rawValue])
            return (fill, funding)
        }
        return (Array(open.reversed()), lastFill.map(Timestamp.init(milliseconds:)), lastFunding.map(Timestamp.init(milliseconds:)))
    }
}
