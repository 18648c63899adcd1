import ArenaCore
import Synchronization

/// One account's line on the leaderboard. Money is exact decimal text; ratios and statistics are
/// numbers.
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
    public var return_pct: Double
    /// Equity minus initial capital.
    public var pnl: String
    public var realized_pnl: String
    public var unrealized_pnl: String
    public var fees: String
    /// Net funding: positive was received.
    public var funding: String
    /// Fills.
    public var trades: Int
    /// Fills that closed (part of) a position.
    public var closed_trades: Int
    /// Share of closed trades whose PnL beat their fee, in percent; nil before the first.
    public var win_rate: Double?
    public var biggest_win: String?
    public var biggest_loss: String?
    /// Sharpe ratio of hourly returns of market time, annualised; `HourlyReturns.basis` says how.
    /// Nil until enough hourly returns exist, with the reason in `sharpe_reason`.
    public var sharpe: Double?
    /// Why `sharpe` is null (`needs 24 hourly returns, has 3`); null when it has a value.
    public var sharpe_reason: String? = nil
    /// Sortino ratio of the same hourly returns (mean over downside deviation), annualised.
    public var sortino: Double? = nil
    /// Why `sortino` is null; null when it has a value.
    public var sortino_reason: String? = nil
    /// Deepest fall from the high-water mark, in percent.
    public var max_drawdown_pct: Double
    /// Traded notional in USD.
    public var volume: String
    public var account_age_seconds: Int64
    /// Mean of margin used over equity across snapshots.
    public var avg_risk_ratio: Double?
    public var decisions: Int
    /// Share of decisions that traded nothing, in percent.
    public var hold_ratio: Double?
    public var failed_decisions: Int
    public var rejected_decisions: Int
    public var prompt_tokens: Int
    public var completion_tokens: Int
    /// What the account's model calls cost, in USD.
    public var llm_cost: String
    /// LLM cost per percentage point of return; nil unless the return is positive and there was a cost.
    public var cost_per_return_pct: String?
    public var open_positions: Int
    /// Decision cycles skipped because the account was still deciding (since the server started).
    public var skipped_cycles: Int
    public var updated_at: Int64
    /// The paper venue's realism (`venue` or `noisy`); nil while the account trades live.
    public var realism: String? = nil

    /// How `sharpe` and `sortino` are computed: the same for every account, so stated once per response.
    public static var sharpeBasis: String { HourlyReturns.basis }

    /// Statistics to four decimals: more digits say nothing and cost every reader bytes.
    public static func statistic(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }
}

/// The live leaderboard: each runner publishes its standing after every change; readers take a
/// consistent copy without touching the runners, so serving it never waits on trading. A line is
/// formatted when it is first read after a change, not at every change: runners publish after
/// every decision, fill and snapshot, far more often than anyone reads (a season reads never).
public final class Leaderboard: Sendable {
    // Indirect: a standing is a large value, and a runner replaces its line after every decision
    // and fill; swapping a box costs less than moving the value into the dictionary and out.
    private indirect enum Line: Sendable {
        case formatted(LeaderboardEntry)
        case published(LeaderboardEntry.Standing)
    }

    private let lines = Mutex<[AccountID: Line]>([:])
    /// Every account's return and positions, for the rankings `aware` prompts show.
    public let rivals = RivalBoard()
    /// Whether runners publish their lines here (`ArenaConfiguration.keepsLeaderboard`); the
    /// rivals are kept either way.
    public let keepsLines: Bool

    public init(keepsLines: Bool = true) {
        self.keepsLines = keepsLines
    }

    /// Replaces an account's line.
    public func update(_ entry: LeaderboardEntry) {
        lines.withLock { $0[AccountID(entry.account_id)] = .formatted(entry) }
    }

    /// Replaces an account's line with its standing, formatted when first read.
    func update(_ standing: LeaderboardEntry.Standing) {
        lines.withLock { $0[standing.record.id] = .published(standing) }
    }

    /// Removes an account's line (archived accounts).
    public func remove(_ id: AccountID) {
        _ = lines.withLock { $0.removeValue(forKey: id) }
        rivals.remove(id)
    }

    /// The lines, best return first (ties by account id).
    public func ranked() -> [LeaderboardEntry] {
        let entries: [LeaderboardEntry] = lines.withLock { lines in
            Array(lines.keys).compactMap { Self.formattedEntry(of: $0, in: &lines) }
        }
        return entries.sorted { a, b in
            a.return_pct != b.return_pct ? a.return_pct > b.return_pct : a.account_id < b.account_id
        }
    }

    /// One account's line.
    public func entry(_ id: AccountID) -> LeaderboardEntry? {
        lines.withLock { Self.formattedEntry(of: id, in: &$0) }
    }

    /// An account's line, formatted now if it was published since the last read, and kept formatted.
    private static func formattedEntry(of id: AccountID, in lines: inout [AccountID: Line]) -> LeaderboardEntry? {
        switch lines[id] {
        case nil: return nil
        case .formatted(let entry): return entry
        case .published(let standing):
            let entry = LeaderboardEntry(standing)
            lines[id] = .formatted(entry)
            return entry
        }
    }
}
