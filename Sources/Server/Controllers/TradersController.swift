import Arena
import ArenaCore
import Hummingbird
import Storage

/// The tracked Hyperliquid traders: a ranked, filtered list with each trader's positions and
/// metrics, one trader, its events; adding and dropping a trader needs an admin token (and is
/// recorded in `admin_actions`).
struct TradersController: Sendable {
    let book: TraderBook?
    let arena: any ArenaInterface
    let credentials: AdminCredentials

    static let defaultLimit = 50
    static let maximumLimit = 1_000
    static let listParameters: Set<String> = ["sort", "order", "active", "limit", "offset"]
    static let eventParameters: Set<String> = ["limit", "before"]

    /// The trader book, or a 404 saying this server has none.
    var traders: TraderBook {
        get throws {
            guard let book else { throw APIError(.notFound, "Traders are not set up on this server (arena serve sets them up).") }
            return book
        }
    }

    func addRoutes(to router: Router<ArenaRequestContext>) {
        router.get("/api/traders") { request, _ in try list(request) }
        router.get("/api/traders/{trader}") { _, context in
            let id = try Self.traderID(context.parameters)
            guard let trader = try traders.trader(id: id) else { throw APIError(.notFound, "No trader \(id) (GET /api/traders lists them).") }
            return try JSONResponse(trader)
        }
        router.get("/api/traders/{trader}/events") { request, context in
            let id = try Self.traderID(context.parameters)
            try Self.refuseUnknown(request, allowed: Self.eventParameters)
            let limit = try HistoryController.integer(request, "limit", in: 1...Int64(Self.maximumLimit)).map(Int.init) ?? 100
            let before = try HistoryController.integer(request, "before", in: 1...Int64.max)
            return try JSONResponse(EventList(events: try traders.events(of: id, before: before, limit: limit)))
        }
        let admin = router.group().add(middleware: AdminAuthMiddleware(credentials: credentials))
            .add(middleware: AdminActionMiddleware(arena: arena))
        admin.post("/api/traders/{trader}/track") { _, context in
            let address = try context.parameters.require("trader")
            let (trader, added) = try traders.track(address, source: .operator)
            return try JSONResponse(trader, status: added ? .created : .ok)
        }
        admin.delete("/api/traders/{trader}") { _, context in
            let address = try context.parameters.require("trader")
            return try JSONResponse(try traders.stopTracking(address, reason: "Stopped by an operator (DELETE /api/traders/{address})."))
        }
    }

    struct TraderList: Encodable {
        let traders: [TraderView]
        let total: Int
        let limit: Int
        let offset: Int
        let sort: String
        let order: String
        /// Whether the tracker runs and the cadence it achieves.
        let tracking: TraderTrackingStatus
    }

    struct EventList: Encodable {
        let events: [TraderEventView]
    }

    /// How each sortable field orders traders; nil sorts last whichever the order.
    static let sortKeys: [String: @Sendable (TraderView) -> Double?] = [
        "account_value": { $0.account_value.flatMap(Double.init) },
        "total_volume": { Double($0.metrics.total_volume) },
        "win_rate": { $0.metrics.win_rate },
        "max_drawdown": { $0.metrics.max_drawdown },
        "last_tracked": { $0.last_tracked.map(Double.init) },
        "first_seen": { Double($0.first_seen) },
    ]

    func list(_ request: Request) throws -> JSONResponse {
        try Self.refuseUnknown(request, allowed: Self.listParameters)
        let query = request.uri.queryParameters
        let sort = query["sort"].map(String.init) ?? "account_value"
        let order = query["order"].map(String.init) ?? "desc"
        guard let key = Self.sortKeys[sort] else {
            throw APIError(.badRequest, "Unknown sort \(sort.prefix(40)); allowed: \(Self.sortKeys.keys.sorted().joined(separator: ", ")).")
        }
        guard order == "asc" || order == "desc" else { throw APIError(.badRequest, "Unknown order; allowed: asc, desc.") }
        var active: Bool?
        if let text = query["active"] {
            guard text == "true" || text == "false" else { throw APIError(.badRequest, "active must be true or false.") }
            active = text == "true"
        }
        let limit = try HistoryController.integer(request, "limit", in: 1...Int64(Self.maximumLimit)).map(Int.init) ?? Self.defaultLimit
        let offset = try HistoryController.integer(request, "offset", in: 0...1_000_000).map(Int.init) ?? 0
        let book = try traders
        var all = try book.traders(active: active)
        let descending = order == "desc"
        all.sort { a, b in
            switch (key(a), key(b)) {
            case (nil, nil): return a.id < b.id
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?): return x == y ? a.id < b.id : (descending ? x > y : x < y)
            }
        }
        return try JSONResponse(TraderList(traders: Array(all.dropFirst(offset).prefix(limit)), total: all.count, limit: limit,
                                           offset: offset, sort: sort, order: order, tracking: book.status))
    }

    /// The `{trader}` path parameter as a trader id.
    static func traderID(_ parameters: Parameters) throws -> Int64 {
        guard let id = try? parameters.require("trader", as: Int64.self), id > 0 else {
            throw APIError(.badRequest, "The trader id must be a positive integer (GET /api/traders lists the ids).")
        }
        return id
    }

    /// Refuses query parameters the route does not know, so a typo is not silently ignored.
    static func refuseUnknown(_ request: Request, allowed: Set<String>) throws {
        for (name, _) in request.uri.queryParameters where !allowed.contains(String(name)) {
            throw APIError(.badRequest, "Unknown query parameter \(name.prefix(40)); allowed: \(allowed.sorted().joined(separator: ", ")).")
        }
    }
}
