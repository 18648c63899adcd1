import ArenaCore
import Storage

/// One account's standing: its decision counts and equity statistics, folded in as they happen,
/// and its line on the leaderboard.
struct AccountStandings: Sendable {
    let leaderboard: Leaderboard
    private(set) var decisions: DecisionSummary
    private(set) var statistics: EquityStatistics
    /// Cycles skipped because the account was still deciding, since the server started.
    private(set) var skippedCycles = 0

    init(leaderboard: Leaderboard, decisions: DecisionSummary, statistics: EquityStatistics) {
        self.leaderboard = leaderboard
        self.decisions = decisions
        self.statistics = statistics
    }

    /// Counts a stored decision, with its tokens and cost.
    mutating func count(_ decision: DecisionRecord) { decisions.add(decision) }

    /// Counts a cycle the scheduler skipped because the account was still deciding.
    mutating func countSkippedCycle() { skippedCycles += 1 }

    /// Takes an equity point and folds it into the statistics.
    /// - Throws: `EncodingError` when the statistics or the feed message cannot be encoded.
    mutating func snapshot(of accountID: AccountID, initialCapital: FixedDecimal, state: AccountState, time: Timestamp, withMessage: Bool,
                           withStatistics: Bool) throws -> EquitySnapshot {
        let point = SnapshotRecord(accountID: accountID, time: time, equity: state.equity, cash: state.cash,
                                   unrealizedPnl: state.unrealizedPnl, marginUsed: state.marginUsed)
        statistics.add(equity: state.equity, marginUsed: state.marginUsed, time: time)
        let stored = withStatistics ? try JSON.encode(statistics) : nil
        guard withMessage else { return EquitySnapshot(point: point, statistics: stored, feed: nil) }
        let feed = FeedDraft(.snapshot, accountID: accountID, time: time, data: SnapshotView(
            account_id: accountID.rawValue, equity: state.equity.description, cash: state.cash.description,
            unrealized_pnl: state.unrealizedPnl.description, margin_used: state.marginUsed.description,
            return_pct: LeaderboardEntry.returnPercent(equity: state.equity, initialCapital: initialCapital),
            time: time.milliseconds))
        return EquitySnapshot(point: point, statistics: stored, feed: feed)
    }

    /// Replaces the account's line on the leaderboard.
    func publishLine(record: AccountRecord, mode: AccountMode, state: AccountState, totals: LedgerTotals, time: Timestamp) {
        leaderboard.update(LeaderboardEntry.Standing(record: record, mode: mode, state: state, totals: totals, decisions: decisions,
                                                     statistics: statistics, skippedCycles: skippedCycles, time: time))
    }

    /// Replaces the account's place among its rivals.
    func publishRival(id: AccountID, name: String, initialCapital: FixedDecimal, state: AccountState) {
        leaderboard.rivals.update(id: id, name: name, equity: state.equity, initialCapital: initialCapital, positions: state.positions)
    }
}

/// One account's equity point, its statistics and its feed message, recorded together with
/// every other account's.
public struct EquitySnapshot: Sendable {
    public var point: SnapshotRecord
    /// The equity statistics after the point, as stored JSON; none when they are not stored with
    /// this snapshot.
    public var statistics: String?
    /// The feed message; none when the arena publishes no snapshot messages (a season).
    public var feed: FeedDraft?
}
