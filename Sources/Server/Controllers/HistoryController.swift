import Arena
import ArenaCore
import Hummingbird
import Storage

/// An account's history, paged newest first with `before` (the `next_cursor` of the previous
/// page) and `limit`; its equity curve downsampled; and the feed's catch-up.
struct HistoryController: Sendable {
    let arena: any ArenaInterface

    static let defaultLimit = 50
    static let maximumLimit = 500

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/api/accounts/{id}/orders") { request, context in try orders(request, existing(context.parameters.accountID())) }
        router.get("/api/accounts/{id}/fills") { request, context in try fills(request, existing(context.parameters.accountID())) }
        router.get("/api/accounts/{id}/decisions") { request, context in try decisions(request, existing(context.parameters.accountID())) }
        router.get("/api/accounts/{id}/positions") { _, context in try await positions(existing(context.parameters.accountID())) }
        router.get("/api/accounts/{id}/equity") { request, context in try equity(request, existing(context.parameters.accountID())) }
        router.get("/api/feed") { request, _ in try feed(request) }
    }

    // MARK: Input

    /// The account of the path, which must exist.
    func existing(_ id: AccountID) throws -> AccountID {
        guard try arena.account(id) != nil else { throw APIError(.notFound, "No account \(id.rawValue).") }
        return id
    }

    /// An optional integer query parameter within `range`.
    static func integer(_ request: Request, _ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw APIError(.badRequest, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// An optional coin filter (`symbol=BTC`).
    static func symbol(_ request: Request) throws -> Symbol? {
        guard let text = request.uri.queryParameters["symbol"] else { return nil }
        guard let symbol = Symbol(String(text)) else { throw APIError(.badRequest, "symbol must be a coin name such as BTC.") }
        return symbol
    }

    /// An optional order-status filter: `open` is every order not yet final (pending, open,
    /// waiting_trigger); any other status is itself.
    static func statuses(_ request: Request) throws -> Set<OrderStatus>? {
        guard let text = request.uri.queryParameters["status"] else { return nil }
        if text == "open" { return [.pending, .open, .waitingTrigger] }
        guard let status = OrderStatus(rawValue: String(text)) else {
            throw APIError(.badRequest, "status must be open, pending, waiting_trigger, filled, canceled or rejected.")
        }
        return [status]
    }

    static func page(_ request: Request) throws -> (before: Int64?, limit: Int) {
        let before = try integer(request, "before", in: 1...Int64.max)
        let limit = try integer(request, "limit", in: 1...Int64(maximumLimit)).map(Int.init) ?? defaultLimit
        return (before, limit)
    }

    // MARK: Pages

    struct OrdersPage: Encodable { let orders: [OrderView]; let next_cursor: Int64? }
    struct FillsPage: Encodable { let fills: [FillRow]; let next_cursor: Int64? }
    struct DecisionsPage: Encodable { let decisions: [DecisionRow]; let next_cursor: Int64? }

    struct FillRow: Encodable {
        let id: Int64
        let order_id: Int64
        let fill: FillView
    }

    struct DecisionRow: Encodable {
        let id: Int64
        let time: Int64
        let driver: String
        let provider: String?
        let model: String?
        let outcome: String
        let rejection_reason: String?
        let reasoning: String?
        let decision: String?
        let prompt: String?
        let raw_response: String?
        let prompt_tokens: Int?
        let completion_tokens: Int?
        let cost_usd: String?
        let latency_ms: Int?
    }

    func orders(_ request: Request, _ id: AccountID) throws -> JSONResponse {
        let (before, limit) = try Self.page(request)
        let orders = try arena.orders(of: id, before: before, limit: limit, statuses: try Self.statuses(request),
                                      symbol: try Self.symbol(request))
        return try JSONResponse(OrdersPage(orders: orders.map { OrderView(id: $0.id, accountID: $0.accountID, mode: $0.mode, order: $0.order) },
                                       next_cursor: orders.count == limit ? orders.last?.id : nil))
    }

    func fills(_ request: Request, _ id: AccountID) throws -> JSONResponse {
        let (before, limit) = try Self.page(request)
        let from = try Self.integer(request, "from", in: 0...Int64.max).map(Timestamp.init(milliseconds:))
        let to = try Self.integer(request, "to", in: 0...Int64.max).map(Timestamp.init(milliseconds:))
        if let from, let to, from > to { throw APIError(.badRequest, "from must not be after to.") }
        let fills = try arena.fills(of: id, before: before, limit: limit, symbol: try Self.symbol(request), from: from, to: to)
        return try JSONResponse(FillsPage(fills: fills.map { FillRow(id: $0.id, order_id: $0.orderID, fill: FillView(accountID: id, fill: $0.fill)) },
                                      next_cursor: fills.count == limit ? fills.last?.id : nil))
    }

    func decisions(_ request: Request, _ id: AccountID) throws -> JSONResponse {
        let (before, limit) = try Self.page(request)
        let decisions = try arena.decisions(of: id, before: before, limit: limit)
        let rows = decisions.map { stored in
            let record = stored.record
            return DecisionRow(id: stored.id, time: record.time.milliseconds, driver: record.driverKind, provider: record.provider,
                               model: record.model, outcome: record.outcome.rawValue, rejection_reason: record.rejectionReason,
                               reasoning: record.reasoning, decision: record.parsedDecision, prompt: record.prompt,
                               raw_response: record.rawResponse, prompt_tokens: record.promptTokens,
                               completion_tokens: record.completionTokens, cost_usd: record.costUSD?.description,
                               latency_ms: record.latencyMilliseconds)
        }
        return try JSONResponse(DecisionsPage(decisions: rows, next_cursor: decisions.count == limit ? decisions.last?.id : nil))
    }

    struct PositionsBody: Encodable { let positions: [PositionView] }

    func positions(_ id: AccountID) async throws -> JSONResponse {
        try JSONResponse(PositionsBody(positions: try await arena.positions(of: id)))
    }

    // MARK: Equity

    struct EquityBody: Encodable {
        struct Point: Encodable { let time: Int64; let equity: String }
        let account_id: Int64
        let from: Int64?
        let to: Int64?
        let points: [Point]
    }

    func equity(_ request: Request, _ id: AccountID) throws -> JSONResponse {
        let points = try Self.integer(request, "points", in: 2...10_000).map(Int.init) ?? 500
        var from = try Self.integer(request, "from", in: 0...Int64.max).map(Timestamp.init(milliseconds:))
        var to = try Self.integer(request, "to", in: 0...Int64.max).map(Timestamp.init(milliseconds:))
        if from == nil || to == nil, let range = try arena.snapshotRange(of: id) {
            from = from ?? range.0
            to = to ?? range.1
        }
        guard let start = from, let end = to else {
            return try JSONResponse(EquityBody(account_id: id.rawValue, from: nil, to: nil, points: []))
        }
        guard start <= end else { throw APIError(.badRequest, "from must not be after to.") }
        let curve = try arena.equityCurve(of: id, from: start, to: end, points: points)
        return try JSONResponse(EquityBody(account_id: id.rawValue, from: start.milliseconds, to: end.milliseconds,
                                       points: curve.map { .init(time: $0.time.milliseconds, equity: $0.equity.description) }))
    }

    // MARK: Feed catch-up

    func feed(_ request: Request) throws -> RawJSONResponse {
        let after = try Self.integer(request, "after_seq", in: 0...Int64.max) ?? 0
        let limit = try Self.integer(request, "limit", in: 1...5_000).map(Int.init) ?? 500
        var filter = FeedFilter()
        if let text = request.uri.queryParameters["symbols"], !text.isEmpty {
            for name in text.split(separator: ",") {
                guard let symbol = Symbol(String(name)) else { throw APIError(.badRequest, "symbols must be coin names such as BTC,ETH.") }
                filter.symbols.insert(symbol)
            }
        }
        let events = try arena.events(after: after, limit: limit)
        // The cursor is the last message read, kept or not, so a filtered page never rereads.
        let next = events.last?.seq ?? after
        let kept = events.filter(filter.matches)
        // Seqs have no gaps, so a first message past after_seq + 1 means the ones between were
        // pruned (`arena serve --events-retention-days`): the client must reload state, not assume it saw them.
        let pruned = (events.first?.seq ?? after + 1) > after + 1
        let body = "{\"events\":[" + kept.map(\.json).joined(separator: ",") + "],\"next_after_seq\":\(next)"
            + ",\"last_seq\":\(arena.feed.lastSeq),\"more\":\(events.count == limit),\"pruned\":\(pruned)}"
        return RawJSONResponse(json: body)
    }
}

/// A body that is already JSON text (stored feed messages are kept as sent).
struct RawJSONResponse: ResponseGenerator {
    let json: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
