import ArenaCore
import Drivers
import Storage

/// What the server may read of the arena: the one door through which the HTTP API and the feed
/// see accounts, history, the leaderboard and the market, without holding the ledger or the
/// key vault.
public protocol ArenaQueries: Sendable {
    /// What the market is, for the page banner.
    var marketDescription: String { get }
    /// The newest market state.
    var latestMarket: MarketSnapshot? { get }
    /// Whether the market source has run out (the end of a replay).
    var marketFinished: Bool { get }
    /// Milliseconds of market time between equity snapshots.
    var snapshotIntervalMilliseconds: Int64 { get }
    /// The number of accounts trading now.
    var runningAccountCount: Int { get }
    /// Why the kill switch stops trading, or nil while it is released.
    var killSwitchReason: String? { get }
    /// The live feed: subscriptions and the newest seq.
    var feed: EventBus { get }

    /// The leaderboard, best return first.
    func ranking() -> [LeaderboardEntry]
    /// One account's line on the leaderboard.
    func standing(of id: AccountID) -> LeaderboardEntry?

    /// Every coin of the market now: the venue's rules, prices, funding, open interest, 24-hour volume.
    func markets() -> [MarketSummary]
    /// When the server started, how long it has run and how its market source is doing.
    var serverStatus: ServerStatus { get }

    /// Stored accounts, archived ones too when asked.
    func accounts(includeArchived: Bool) throws -> [AccountRecord]
    /// One stored account.
    func account(_ id: AccountID) throws -> AccountRecord?
    /// Which secrets an account has (names and public hints, never a value).
    func secrets(of id: AccountID) throws -> [SecretSummary]
    /// An account's open positions, valued at the newest marks when it is running.
    func positions(of id: AccountID) async throws -> [PositionView]
    /// An account's driver state as it would be stored now (nil for stateless drivers or a stopped account).
    func strategyState(of id: AccountID) async -> String?

    /// One stored order by its id.
    func order(id: Int64) throws -> StoredOrder?
    /// One stored order by its client order id.
    func order(clientOrderID: ClientOrderID) throws -> StoredOrder?
    /// An account's newest orders.
    func recentOrders(of id: AccountID, limit: Int) throws -> [StoredOrder]
    /// An account's orders older than `before` (a row id), newest first, with one of `statuses`
    /// (any when nil) and of `symbol` (any when nil).
    func orders(of id: AccountID, before: Int64?, limit: Int, statuses: Set<OrderStatus>?, symbol: Symbol?) throws -> [StoredOrder]
    /// An account's fills older than `before`, newest first, of `symbol` and between `from` and `to` (open ends when nil).
    func fills(of id: AccountID, before: Int64?, limit: Int, symbol: Symbol?, from: Timestamp?, to: Timestamp?) throws -> [StoredFill]
    /// An account's decisions older than `before`, newest first.
    func decisions(of id: AccountID, before: Int64?, limit: Int) throws -> [StoredDecision]
    /// The first and last times of an account's equity curve.
    func snapshotRange(of id: AccountID) throws -> (Timestamp, Timestamp)?
    /// An account's equity curve between two times, at most `points` points.
    func equityCurve(of id: AccountID, from: Timestamp, to: Timestamp, points: Int) throws -> [EquityPoint]
    /// Stored feed messages after `seq`, oldest first.
    func events(after seq: Int64, limit: Int) throws -> [FeedMessage]
    /// Every account's decision counts, tokens and cost.
    func decisionStatisticsByAccount() throws -> [AccountID: DecisionStatistics]
    /// The newest decision latencies of some accounts, in milliseconds.
    func recentLatencies(of accounts: [AccountID], limit: Int) throws -> [Int]
    /// The prompts an LLM account's next decision would send, rendered from the newest market.
    /// - Throws: `ArenaError.notFound` for an unknown account, `.conflict` for one that is not
    ///   running, has no market yet or is not run by a model.
    func promptPreview(of id: AccountID) async throws -> PromptPreview
    /// An account's venue audit rows matching `filter`, newest first.
    func venueAudit(of id: AccountID, filter: VenueAuditFilter) throws -> [VenueAuditRecord]
    /// Halts, pauses, resumes (an account's) or kill-switch changes (`accountID` nil), newest first.
    func riskEvents(of accountID: AccountID?, before: Int64?, limit: Int) throws -> [RiskEventRecord]
    /// An account's stored risk state: the day's loss baseline and the high-water mark.
    func riskState(of id: AccountID) throws -> StoredRiskState?
    /// The ledger's open orders against the ones the account's executor holds; nil when not running.
    func openOrderCheck(of id: AccountID) async throws -> OpenOrderCheck?
}

/// What the server may ask the arena to do: every change an operator can make.
public protocol ArenaCommands: Sendable {
    /// Creates a paper account and starts it.
    func createAccount(_ entry: Roster.Entry, network: Network?, secrets: [String: String]) async throws -> AccountRecord
    /// Changes a running account.
    func updateAccount(_ id: AccountID, _ changes: AccountService.Changes) async throws -> AccountRecord
    /// Closes an account's positions and archives it.
    func archiveAccount(_ id: AccountID) async throws -> AccountRecord
    /// Sends an operator's order through the account's risk engine and executor.
    func placeOrder(_ order: GatedOrder, for id: AccountID) async throws -> [ExchangeEvent]
    /// Cancels an open order of an account.
    func cancelOrder(_ clientOrderID: ClientOrderID, of id: AccountID) async throws -> [ExchangeEvent]
    /// Cancels an account's orders and closes its positions.
    func closeAll(_ id: AccountID) async throws -> [ExchangeEvent]
    /// Switches an account between paper and live.
    func switchMode(_ id: AccountID, to mode: AccountMode, network: Network, keepPositions: Bool, actor: String)
        async throws -> (report: PreflightReport, switched: Bool)
    /// Stops every new order; with `closePositions`, closes every position too. Stored with who and why.
    func engageKillSwitch(closePositions: Bool, reason: String, actor: String) async
    /// Lets orders through again. Stored with who and why.
    func releaseKillSwitch(reason: String, actor: String)
    /// Stores a request to a mutating admin route: who made it, where, and the status it got.
    func recordAdminAction(identity: String, role: AdminRole, method: String, route: String, accountID: AccountID?, status: Int) throws
}

/// The whole narrow interface the server is built over.
public typealias ArenaInterface = ArenaQueries & ArenaCommands
