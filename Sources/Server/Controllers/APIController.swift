import Arena
import ArenaCore
import Hummingbird
import Storage

/// The read-only JSON API: health, leaderboard, accounts.
struct APIController: Sendable {
    let arena: any ArenaInterface
    /// The tracked traders, whose rows the leaderboard shows beside the accounts.
    var traders: TraderBook? = nil
    /// The leaderboard is re-encoded at most four times a second per query.
    let leaderboardCache = ResponseCache(lifetime: .milliseconds(250))

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/health") { _, _ in try health() }
        router.get("/api/leaderboard") { request, _ in try leaderboard(request) }
        router.get("/api/accounts/{id}") { _, context in try await account(context.parameters.accountID()) }
    }

    struct Health: Encodable {
        let status: String
        let version: String
        let started_at: Int64
        let uptime_seconds: Int64
        let market: String
        /// `waiting`, `running`, `stalled` or `finished`.
        let market_state: String
        let market_finished: Bool
        let market_time: Int64?
        let seconds_since_market_update: Double?
        let accounts: Int
        let last_seq: Int64
        let feed_clients: Int
    }

    func health() throws -> JSONResponse {
        let server = arena.serverStatus
        return try JSONResponse(Health(
            status: "ok", version: server.version, started_at: server.startedAt.milliseconds, uptime_seconds: server.uptimeSeconds,
            market: server.market, market_state: server.marketState.rawValue, market_finished: server.marketState == .finished,
            market_time: server.marketTime?.milliseconds, seconds_since_market_update: server.secondsSinceUpdate,
            accounts: arena.runningAccountCount, last_seq: arena.feed.lastSeq, feed_clients: arena.feed.subscriberCount))
    }

    struct LeaderboardBody: Encodable {
        let entries: [LeaderboardRow]
        let sort_by: String
        let order: String
        let mode: String
        /// `account`, `trader` or `all`.
        let kind: String
        let total: Int
        let offset: Int
        let market: String
        let generated_at: Int64?
        let sharpe_basis: String
    }

    /// How a leaderboard column sorts.
    enum SortKey: Sendable {
        case number(@Sendable (LeaderboardEntry) -> Double?)
        case text(@Sendable (LeaderboardEntry) -> String?)
    }

    /// Every sortable column; missing values sort last whichever the order.
    static let sortKeys: [String: SortKey] = [
        "account_id": .number { Double($0.account_id) }, "name": .text(\.name), "driver": .text(\.driver),
        "provider": .text(\.provider), "model": .text(\.model), "mode": .text(\.mode), "status": .text(\.status),
        "equity": .number { Double($0.equity) }, "cash": .number { Double($0.cash) }, "return_pct": .number(\.return_pct),
        "pnl": .number { Double($0.pnl) }, "realized_pnl": .number { Double($0.realized_pnl) },
        "unrealized_pnl": .number { Double($0.unrealized_pnl) }, "fees": .number { Double($0.fees) },
        "funding": .number { Double($0.funding) }, "trades": .number { Double($0.trades) },
        "closed_trades": .number { Double($0.closed_trades) }, "win_rate": .number(\.win_rate),
        "biggest_win": .number { $0.biggest_win.flatMap(Double.init) }, "biggest_loss": .number { $0.biggest_loss.flatMap(Double.init) },
        "sharpe": .number(\.sharpe), "sortino": .number(\.sortino), "max_drawdown_pct": .number(\.max_drawdown_pct), "volume": .number { Double($0.volume) },
        "account_age_seconds": .number { Double($0.account_age_seconds) }, "avg_risk_ratio": .number(\.avg_risk_ratio),
        "decisions": .number { Double($0.decisions) }, "hold_ratio": .number(\.hold_ratio),
        "failed_decisions": .number { Double($0.failed_decisions) }, "rejected_decisions": .number { Double($0.rejected_decisions) },
        "llm_cost": .number { Double($0.llm_cost) }, "cost_per_return_pct": .number { $0.cost_per_return_pct.flatMap(Double.init) },
        "open_positions": .number { Double($0.open_positions) },
    ]

    /// Entries per page unless `limit` says otherwise, and the most it may say.
    static let defaultLeaderboardLimit = 100
    static let maximumLeaderboardLimit = 1_000

    func leaderboard(_ request: Request) throws -> EncodedJSONResponse {
        let query = request.uri.queryParameters
        let sortBy = query["sort_by"].map(String.init) ?? "return_pct"
        let order = query["order"].map(String.init) ?? "desc"
        let mode = query["mode"].map(String.init) ?? "all"
        let kind = query["kind"].map(String.init) ?? "all"
        guard let key = Self.sortKeys[sortBy] else {
            throw APIError(.badRequest, "Unknown sort_by \(sortBy.prefix(40)); allowed: \(Self.sortKeys.keys.sorted().joined(separator: ", ")).")
        }
        guard order == "asc" || order == "desc" else { throw APIError(.badRequest, "Unknown order; allowed: asc, desc.") }
        guard ["paper", "live", "all"].contains(mode) else { throw APIError(.badRequest, "Unknown mode; allowed: paper, live, all.") }
        guard ["account", "trader", "all"].contains(kind) else { throw APIError(.badRequest, "Unknown kind; allowed: account, trader, all.") }
        let limit = try HistoryController.integer(request, "limit", in: 1...Int64(Self.maximumLeaderboardLimit)).map(Int.init)
            ?? Self.defaultLeaderboardLimit
        let offset = try HistoryController.integer(request, "offset", in: 0...1_000_000).map(Int.init) ?? 0
        let body = try leaderboardCache.body(for: "\(sortBy) \(order) \(mode) \(kind) \(limit) \(offset)") {
            let entries = try leaderboardRows(kind: kind, mode: mode, sortBy: sortBy, key: key, descending: order == "desc")
            let page = Array(entries.dropFirst(offset).prefix(limit))
            return try JSON.encodeResponse(LeaderboardBody(entries: page, sort_by: sortBy, order: order, mode: mode, kind: kind,
                                                           total: entries.count,
                                               offset: offset, market: arena.marketDescription,
                                               generated_at: arena.latestMarket?.time.milliseconds,
                                               sharpe_basis: LeaderboardEntry.sharpeBasis))
        }
        return EncodedJSONResponse(body: body)
    }

    struct AccountBody: Encodable {
        let account: LeaderboardEntry?
        let id: Int64
        let name: String
        let symbols: [String]
        let positions: [PositionView]
        let orders: [OrderView]
    }

    func account(_ id: AccountID) async throws -> JSONResponse {
        let raw = id.rawValue
        guard let record = try arena.account(id) else { throw APIError(.notFound, "No account \(raw).") }
        let positions = try await arena.positions(of: id)
        let orders = try arena.recentOrders(of: id, limit: 50).map {
            OrderView(id: $0.id, accountID: $0.accountID, mode: $0.mode, order: $0.order)
        }
        return try JSONResponse(AccountBody(account: arena.standing(of: id), id: raw, name: record.name,
                                        symbols: record.symbols.map(\.name), positions: positions, orders: orders))
    }
}
