import ArenaCore
import PaperExchange

/// How fast the market runs.
public enum Pacing: Sendable, Hashable {
    /// `speed` times real time (1 is real time).
    case realTime(speed: Double)
    /// As fast as the arena can: each step waits until every due account has decided, so a replay
    /// gives the same result every time.
    case asFastAsPossible
}

/// How the arena runs.
public struct ArenaConfiguration: Sendable {
    public var pacing: Pacing
    /// Milliseconds of market time between equity snapshots.
    public var snapshotIntervalMilliseconds: Int64
    /// Seeds the paper exchanges (each account mixes in its id).
    public var seed: UInt64
    public var paper: PaperExchangeConfiguration
    /// Real milliseconds between writes to a batched feed client (`batch=true`): the delay it may
    /// add, traded against one write per client per interval.
    public var feedBatchIntervalMilliseconds: Int
    /// Where the arena reports its metrics (`/metrics`); reports nowhere by default.
    public var metrics: ArenaMetrics = .disabled
    /// Whether changes are reported as feed messages, stored in `events` and published: each market
    /// step's prices, the periodic ranking, the equity snapshots, decisions, orders, fills. A season
    /// turns it off: nobody listens to its feed, and each of those messages repeats a row of the
    /// ledger's trading tables (a season's feed was a third of its ledger, and encoding and storing
    /// it a twentieth of its work). Alerts are kept either way: they are the only record of what
    /// they report. `arena serve` keeps it on.
    public var keepsFeed = true
    /// Whether each account's line on the leaderboard (`/api/leaderboard`, the ranking messages) is
    /// kept up to date. A season turns it off: nothing reads it (its results come from the ledger),
    /// and every decision, fill and snapshot replaced a line. The rivals' returns and positions
    /// (the `aware` prompt's ranking) are kept either way.
    public var keepsLeaderboard = true
    /// Whether, at `.asFastAsPossible` pacing, the accounts due at a step decide one after the
    /// other instead of side by side. A season sets it: it runs several repeats at once, one per
    /// core, so side-by-side decisions of one repeat would only queue on its ledger's writer.
    public var decidesInTurn = false
    /// Whether every equity snapshot also stores each account's running statistics, so that a
    /// restart resumes them. A season, whose ledger is never resumed, stores them with the last
    /// snapshot only, so that the saved ledger still serves them.
    public var storesStatisticsWithEverySnapshot = true
    /// Awaited with each market step's time before the step is applied: how a season keeps the
    /// repeats it runs side by side in formation (`RepeatPacer`). None by default.
    public var beforeStep: (@Sendable (Timestamp) async -> Void)?

    public init(pacing: Pacing = .realTime(speed: 1), snapshotIntervalMilliseconds: Int64 = 5_000, seed: UInt64 = 42,
                paper: PaperExchangeConfiguration = PaperExchangeConfiguration(),
                feedBatchIntervalMilliseconds: Int = 10) {
        self.pacing = pacing
        self.snapshotIntervalMilliseconds = snapshotIntervalMilliseconds
        self.seed = seed
        self.paper = paper
        self.feedBatchIntervalMilliseconds = feedBatchIntervalMilliseconds
    }

    /// This configuration, reporting its metrics to `metrics`.
    public func reporting(to metrics: ArenaMetrics) -> ArenaConfiguration {
        var configuration = self
        configuration.metrics = metrics
        return configuration
    }
}
