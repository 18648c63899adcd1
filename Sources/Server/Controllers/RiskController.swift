import Arena
import ArenaCore
import Hummingbird
import Storage

/// What operators read of the risk state: an account's halts history with its stored baseline and
/// high-water mark, the kill switch and its history, and whether the ledger's open orders are
/// the ones the engine holds. Behind the admin tokens (read-only ones too).
struct RiskController: Sendable {
    let arena: any ArenaInterface
    let credentials: AdminCredentials

    static let defaultLimit = 100
    static let maximumLimit = 1_000

    func addRoutes(to router: Router<some AdminRequestContext>) {
        let group = router.group().add(middleware: AdminAuthMiddleware(credentials: credentials))
        group.get("/api/accounts/{id}/halts") { request, context in try halts(request, context.parameters.accountID()) }
        group.get("/api/kill-switch") { request, _ in try killSwitch(request) }
        group.get("/api/accounts/{id}/open-orders/check") { _, context in try await openOrderCheck(context.parameters.accountID()) }
    }

    /// One halt, pause, resume or kill-switch change. Absent values are written as null.
    struct Entry: Encodable {
        let id: Int64
        let time: Int64
        let action: String
        let actor: String
        let reason: String
        let equity: String?

        init(_ record: RiskEventRecord) {
            id = record.id
            time = record.time.milliseconds
            action = record.action.rawValue
            actor = record.actor
            reason = record.reason
            equity = record.equity?.description
        }
    }

    /// The stored risk state of an account.
    struct RiskStateView: Encodable {
        let day: Int64?
        let day_start_equity: String?
        let high_water_mark: String?
    }

    struct HaltsPage: Encodable {
        let account_id: Int64
        let status: String
        let risk_state: RiskStateView?
        let entries: [Entry]
        let next_cursor: Int64?
    }

    struct KillSwitchPage: Encodable {
        let engaged: Bool
        let reason: String?
        let entries: [Entry]
        let next_cursor: Int64?
    }

    func halts(_ request: Request, _ id: AccountID) throws -> JSONResponse {
        let (before, limit) = try Self.page(request.uri.queryParameters)
        guard let account = try arena.account(id) else { throw APIError(.notFound, "No account \(id.rawValue).") }
        let rows = try arena.riskEvents(of: id, before: before, limit: limit)
        let state = try arena.riskState(of: id).map {
            RiskStateView(day: $0.day, day_start_equity: $0.dayStartEquity?.description, high_water_mark: $0.highWaterMark?.description)
        }
        return try JSONResponse(HaltsPage(account_id: id.rawValue, status: account.status.rawValue, risk_state: state,
                                          entries: rows.map(Entry.init), next_cursor: rows.count == limit ? rows.last?.id : nil))
    }

    func killSwitch(_ request: Request) throws -> JSONResponse {
        let (before, limit) = try Self.page(request.uri.queryParameters)
        let rows = try arena.riskEvents(of: nil, before: before, limit: limit)
        let reason = arena.killSwitchReason
        return try JSONResponse(KillSwitchPage(engaged: reason != nil, reason: reason, entries: rows.map(Entry.init),
                                               next_cursor: rows.count == limit ? rows.last?.id : nil))
    }

    func openOrderCheck(_ id: AccountID) async throws -> JSONResponse {
        guard let check = try await arena.openOrderCheck(of: id) else {
            throw APIError(.notFound, "No running account \(id.rawValue) (archived accounts hold no orders).")
        }
        return try JSONResponse(check)
    }

    /// Reads `before` and `limit`, refusing any other parameter.
    /// - Throws: `APIError` (400) naming the bad parameter.
    static func page(_ query: Parameters) throws -> (before: Int64?, limit: Int) {
        for name in Set(query.map { String($0.key) }) where name != "before" && name != "limit" {
            throw APIError(.badRequest, "\(name) is not a parameter here (known: before, limit).")
        }
        var before: Int64?
        if let text = query["before"] {
            guard let value = Int64(text), value > 0 else { throw APIError(.badRequest, "before must be a positive integer (a cursor from next_cursor).") }
            before = value
        }
        var limit = defaultLimit
        if let text = query["limit"] {
            guard let value = Int(text), (1...maximumLimit).contains(value) else {
                throw APIError(.badRequest, "limit must be an integer from 1 to \(maximumLimit).")
            }
            limit = value
        }
        return (before, limit)
    }
}
