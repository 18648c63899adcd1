import ArenaCore
import Synchronization

/// One account's line on the leaderboard.
public struct LeaderboardEntry: Codable, Sendable, Hashable {
    public var account_id: Int64
    public var name: String
    public var driver: String
    public var provider: String?
    public var model: String?
    public var mode: String
    public var network: String
    public var status: String
    public var initial_capital: String
    public var equity: String
    public var cash: String
    public var return_pct: String
    /// Equity minus initial capital.
    public var pnl: String
    public var realized_pnl: String
    public var unrealized_pnl: String
    public var fees: String
    public var funding: String
    public var trades: Int
    public var decisions: Int
    public var open_positions: Int
    public var updated_at: Int64

    /// The return as a number, for sorting.
    var returnValue: FixedDecimal { FixedDecimal(return_pct) ?? .zero }
}

/// The live leaderboard: each runner writes its own line after every change; readers take a
/// consistent copy without touching the runners, so serving it never waits on trading.
public final class Leaderboard: Sendable {
    private let entries = Mutex<[AccountID: LeaderboardEntry]>([:])

    public init() {}

    /// Replaces an account's line.
    public func update(_ entry: LeaderboardEntry) {
        entries.withLock { $0[AccountID(entry.account_id)] = entry }
    }

    /// Removes an account's line (archived accounts).
    public func remove(_ id: AccountID) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// The lines, best return first (ties by account id).
    public func ranked() -> [LeaderboardEntry] {
        entries.withLock { Array($0.values) }.sorted { a, b in
            let (ra, rb) = (a.returnValue, b.returnValue)
            return ra != rb ? ra > rb : a.account_id < b.account_id
        }
    }

    /// One account's line.
    public func entry(_ id: AccountID) -> LeaderboardEntry? { entries.withLock { $0[id] } }
}
