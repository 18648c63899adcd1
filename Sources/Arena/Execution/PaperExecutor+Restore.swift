import ArenaCore
import PaperExchange
import Storage

extension AccountService {
    /// A paper account as the ledger left it: its cash, positions and every order not yet final
    /// (resting, waiting for its trigger, in flight), with the same client ids, the same queue
    /// order (the venue's order ids), the same exit groups and trailing stops. Without this a
    /// restart would leave rows saying `open` that no engine holds.
    /// - Throws: a storage error when the ledger cannot be read, `ArenaError.invalidAccount` for an unknown realism.
    func restoredPaperExecutor(for record: AccountRecord, ledger: LedgerStore) throws -> PaperExecutor {
        let orders = try ledger.unfinishedOrders(of: record.id).map(\.order)
        return PaperExecutor(configuration: paperConfiguration(realism: try PaperRealism(of: record)), cash: record.cash,
                             positions: try ledger.positions(of: record.id), openOrders: orders, seed: paperSeed(for: record.name))
    }
}
