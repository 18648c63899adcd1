import Arena
import ArenaCore

extension ArenaRuntime {
    /// An account's open positions valued at the newest marks (from the ledger, unvalued, when
    /// the account is not running).
    func positionViews(of id: AccountID) async throws -> [PositionView] {
        guard let runner = runner(id) else {
            return try ledger.positions(of: id).map { PositionView(position: $0, mark: nil) }
        }
        let state = await runner.accountState()
        let marks = await runner.marks
        return state.positions.values.filter { !$0.isFlat }.sorted { $0.symbol < $1.symbol }
            .map { PositionView(position: $0, mark: marks[$0.symbol]) }
    }
}
