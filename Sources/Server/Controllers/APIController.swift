import Arena
import ArenaCore
import Hummingbird
import Storage

/// The read-only JSON API: health, leaderboard, accounts.
struct APIController: Sendable {
    let runtime: ArenaRuntime

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/health") { _, _ in health() }
        router.get("/api/leaderboard") { request, _ in try leaderboard(request) }
        router.get("/api/accounts/{id}") { _, context in try await account(context.parameters.get("id")) }
    }

    struct Health: Encodable {
        let status: String
        let market: String
        let market_finished: Bool
        let accounts: Int
        let last_seq: Int64
        let feed_clients: Int
        let market_time: Int64?
    }

    func health() -> JSONResponse {
        JSONResponse(Health(status: "ok", market: runtime.marketDescription, market_finished: runtime.marketFinished,
                            accounts: runtime.allRunners.count, last_seq: runtime.bus.lastSeq,
                            feed_clients: runtime.bus.subscriberCount, market_time: runtime.latestMarket?.time.milliseconds))
    }

    struct LeaderboardBody: Encodable {
        let entries: [LeaderboardEntry]
        let sort_by: String
        let order: String
        let mode: String
        let market: String
        let generated_at: Int64?
    }

    static let sortKeys: [String: @Sendable (LeaderboardEntry) -> FixedDecimal] = [
        "return_pct": { FixedDecimal($0.return_pct) ?? .zero },
        "equity": { FixedDecimal($0.equity) ?? .zero },
        "pnl": { FixedDecimal($0.pnl) ?? .zero },
        "realized_pnl": { FixedDecimal($0.realized_pnl) ?? .zero },
        "unrealized_pnl": { FixedDecimal($0.unrealized_pnl) ?? .zero },
        "fees": { FixedDecimal($0.fees) ?? .zero },
        "funding": { FixedDecimal($0.funding) ?? .zero },
        "trades": { FixedDecimal($0.trades) },
        "decisions": { FixedDecimal($0.decisions) },
        "account_id": { FixedDecimal(Int($0.account_id)) },
    ]

    func leaderboard(_ request: Request) throws -> JSONResponse {
        let query = request.uri.queryParameters
        let sortBy = query["sort_by"].map(String.init) ?? "return_pct"
        let order = query["order"].map(String.init) ?? "desc"
        let mode = query["mode"].map(String.init) ?? "all"
        guard let key = Self.sortKeys[sortBy] else {
            throw APIError(.badRequest, "Unknown sort_by \(sortBy.prefix(40)); allowed: \(Self.sortKeys.keys.sorted().joined(separator: ", ")).")
        }
        guard order == "asc" || order == "desc" else { throw APIError(.badRequest, "Unknown order; allowed: asc, desc.") }
        guard ["paper", "live", "all"].contains(mode) else { throw APIError(.badRequest, "Unknown mode; allowed: paper, live, all.") }
        var entries = runtime.leaderboard.ranked()
        if mode != "all" { entries = entries.filter { $0.mode == mode } }
        entries.sort { a, b in
            let (ka, kb) = (key(a), key(b))
            if ka == kb { return a.account_id < b.account_id }
            return order == "desc" ? ka > kb : ka < kb
        }
        return JSONResponse(LeaderboardBody(entries: entries, sort_by: sortBy, order: order, mode: mode,
                                            market: runtime.marketDescription,
                                            generated_at: runtime.latestMarket?.time.milliseconds))
    }

    struct AccountBody: Encodable {
        let account: LeaderboardEntry?
        let id: Int64
        let name: String
        let symbols: [String]
        let positions: [PositionView]
        let orders: [OrderView]
    }

    func account(_ idText: String?) async throws -> JSONResponse {
        guard let idText, let raw = Int64(idText), raw > 0 else { throw APIError(.badRequest, "The account id must be a positive integer.") }
        let id = AccountID(raw)
        guard let record = try runtime.ledger.account(id) else { throw APIError(.notFound, "No account \(raw).") }
        var positions: [PositionView] = []
        if let runner = runtime.runner(id) {
            let state = await runner.accountState()
            let marks = await runner.marks
            positions = state.positions.values.filter { !$0.isFlat }.sorted { $0.symbol < $1.symbol }
                .map { PositionView(position: $0, mark: marks[$0.symbol]) }
        } else {
            positions = try runtime.ledger.positions(of: id).map { PositionView(position: $0, mark: nil) }
        }
        let orders = try runtime.ledger.recentOrders(of: id, limit: 50).map {
            OrderView(id: $0.id, accountID: $0.accountID, mode: $0.mode, order: $0.order)
        }
        return JSONResponse(AccountBody(account: runtime.leaderboard.entry(id), id: raw, name: record.name,
                                        symbols: record.symbols.map(\.name), positions: positions, orders: orders))
    }
}
