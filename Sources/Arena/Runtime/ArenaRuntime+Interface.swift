import ArenaCore
import Drivers
import Storage

extension ArenaRuntime: ArenaQueries {
    public var marketDescription: String { market.description }
    public var latestMarket: MarketSnapshot? { market.latestSnapshot }
    public var marketFinished: Bool { market.isFinished }
    public var snapshotIntervalMilliseconds: Int64 { configuration.snapshotIntervalMilliseconds }
    public var runningAccountCount: Int { allRunners.count }
    public var killSwitchReason: String? { tradingSwitch.haltReason }
    public var feed: EventBus { recorder.bus }

    public func ranking() -> [LeaderboardEntry] { leaderboard.ranked() }
    public func standing(of id: AccountID) -> LeaderboardEntry? { leaderboard.entry(id) }

    public func accounts(includeArchived: Bool) throws -> [AccountRecord] { try ledger.accounts(includeArchived: includeArchived) }
    public func account(_ id: AccountID) throws -> AccountRecord? { try ledger.account(id) }
    public func secrets(of id: AccountID) throws -> [SecretSummary] { try ledger.secretSummaries(accountID: id) }

    public func positions(of id: AccountID) async throws -> [PositionView] {
        guard let runner = runner(id) else {
            return try ledger.positions(of: id).map { PositionView(position: $0, mark: nil) }
        }
        let state = await runner.accountState()
        let marks = await runner.marks
        return state.positions.values.filter { !$0.isFlat }.sorted { $0.symbol < $1.symbol }
            .map { PositionView(position: $0, mark: marks[$0.symbol]) }
    }

    public func strategyState(of id: AccountID) async -> String? {
        guard let runner = runner(id) else { return try? ledger.account(id)?.driverState }
        return await runner.driverState()
    }

    public func order(id: Int64) throws -> StoredOrder? { try ledger.order(id: id) }
    public func order(clientOrderID: ClientOrderID) throws -> StoredOrder? { try ledger.order(clientOrderID: clientOrderID) }
    public func recentOrders(of id: AccountID, limit: Int) throws -> [StoredOrder] { try ledger.recentOrders(of: id, limit: limit) }
    public func orders(of id: AccountID, before: Int64?, limit: Int, statuses: Set<OrderStatus>?, symbol: Symbol?) throws -> [StoredOrder] {
        try ledger.orders(of: id, before: before, limit: limit, statuses: statuses, symbol: symbol)
    }
    public func fills(of id: AccountID, before: Int64?, limit: Int, symbol: Symbol?, from: Timestamp?, to: Timestamp?) throws -> [StoredFill] {
        try ledger.fills(of: id, before: before, limit: limit, symbol: symbol, from: from, to: to)
    }
    public func markets() -> [MarketSummary] { market.summaries() }
    public var serverStatus: ServerStatus { market.status(version: ArenaVersion.current, startedAt: startedAt) }
    public func decisions(of id: AccountID, before: Int64?, limit: Int) throws -> [StoredDecision] {
        try ledger.decisions(of: id, before: before, limit: limit)
    }
    public func snapshotRange(of id: AccountID) throws -> (Timestamp, Timestamp)? { try ledger.snapshotRange(of: id) }
    public func equityCurve(of id: AccountID, from: Timestamp, to: Timestamp, points: Int) throws -> [EquityPoint] {
        try ledger.equityCurve(of: id, from: from, to: to, points: points)
    }
    public func events(after seq: Int64, limit: Int) throws -> [FeedMessage] { try ledger.events(after: seq, limit: limit) }
    public func decisionStatisticsByAccount() throws -> [AccountID: DecisionStatistics] { try ledger.decisionStatisticsByAccount() }
    public func recentLatencies(of accounts: [AccountID], limit: Int) throws -> [Int] { try ledger.recentLatencies(of: accounts, limit: limit) }
    public func promptPreview(of id: AccountID) async throws -> PromptPreview {
        guard let record = try ledger.account(id) else { throw ArenaError.notFound("No account \(id.rawValue).") }
        guard let runner = runner(id) else { throw ArenaError.conflict("Account \(id.rawValue) is not running.") }
        guard let preview = try await runner.promptPreview(indicators: market.indicators(), standings: leaderboard.rivals.table()) else {
            throw ArenaError.conflict("Account \(id.rawValue) is run by the \(record.driverKind) driver, which sends no prompt; only llm accounts have one.")
        }
        return preview
    }

    public func venueAudit(of id: AccountID, filter: VenueAuditFilter) throws -> [VenueAuditRecord] {
        try ledger.venueAudit(of: id, filter: filter)
    }
}

extension ArenaRuntime: ArenaCommands {
    public func createAccount(_ entry: Roster.Entry, network: Network?, secrets: [String: String]) async throws -> AccountRecord {
        try await accounts.followTrader(of: entry.driver)
        let record = try accounts.create(entry, network: network, secrets: secrets)
        // A new account sees the market at once, not at the next step: its first order is priced
        // and stamped like every other's.
        if let snapshot = market.latestSnapshot, let runner = runner(record.id) { await runner.apply(snapshot) }
        return record
    }

    public func updateAccount(_ id: AccountID, _ changes: AccountService.Changes) async throws -> AccountRecord {
        if let driver = changes.driver { try await accounts.followTrader(of: driver) }
        return try await accounts.update(id, changes)
    }

    public func archiveAccount(_ id: AccountID) async throws -> AccountRecord {
        try await accounts.archive(id)
    }

    public func placeOrder(_ order: GatedOrder, for id: AccountID) async throws -> [ExchangeEvent] {
        try await running(id).submitOperatorOrder(order)
    }

    public func cancelOrder(_ clientOrderID: ClientOrderID, of id: AccountID) async throws -> [ExchangeEvent] {
        try await running(id).cancel(clientOrderID)
    }

    public func closeAll(_ id: AccountID) async throws -> [ExchangeEvent] {
        try await running(id).closeAll(origin: .operator)
    }

    public func recordAdminAction(identity: String, role: AdminRole, method: String, route: String, accountID: AccountID?,
                                  status: Int) throws {
        let action = AdminActionRecord(time: clock.now(), identity: identity, role: role, method: method, route: route,
                                       accountID: accountID, status: status)
        try recorder.record { transaction, _ in try transaction.insertAdminAction(action) }
    }

    private func running(_ id: AccountID) throws -> AccountRunner {
        guard let runner = runner(id) else {
            throw ArenaError.notFound("No running account \(id.rawValue) (archived accounts cannot trade).")
        }
        return runner
    }
}
