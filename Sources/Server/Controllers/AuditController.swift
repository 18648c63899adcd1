import Arena
import ArenaCore
import Hummingbird
import Storage

/// The venue audit of an account, for operators: every request sent to Hyperliquid for it and
/// the answer, newest first, filtered and paged. Behind the admin tokens (read-only ones too).
struct AuditController: Sendable {
    let arena: any ArenaInterface
    let credentials: AdminCredentials

    static let defaultLimit = 100
    static let maximumLimit = 1_000
    /// The query parameters the route knows; any other is refused, so a misspelt filter never
    /// silently returns everything.
    static let parameters: Set<String> = ["from", "to", "action", "status", "limit", "before"]

    func addRoutes(to router: Router<some AdminRequestContext>) {
        router.group().add(middleware: AdminAuthMiddleware(credentials: credentials))
            .get("/api/accounts/{id}/audit") { request, context in try audit(request, context.parameters.accountID()) }
    }

    /// The answer's shape: rows newest first, and the cursor of the next (older) page. Absent
    /// values are written as null, so every entry has every key.
    struct AuditPage: Encodable {
        let account_id: Int64
        let entries: [Entry]
        /// Pass as `before` for the next page; null on the last.
        let next_cursor: Int64?
    }

    struct Entry: Encodable {
        let id: Int64
        let time: Int64
        let network: String
        let endpoint: String
        let action: String?
        let client_order_ids: [String]
        let nonce: UInt64?
        let signer: String?
        let vault: String?
        let signature_hash: String?
        let attempt: Int
        let latency_ms: Int64
        let http_status: Int?
        let venue_status: String?
        let status: String
        let error: String?

        init(_ record: VenueAuditRecord) {
            id = record.id
            time = record.time.milliseconds
            network = record.network
            endpoint = record.endpoint
            action = record.action
            client_order_ids = record.clientOrderIDs
            nonce = record.nonce
            signer = record.signer
            vault = record.vault
            signature_hash = record.signatureHash
            attempt = record.attempt
            latency_ms = record.latencyMilliseconds
            http_status = record.httpStatus
            venue_status = record.venueStatus
            status = record.outcome.rawValue
            error = record.error
        }
    }

    func audit(_ request: Request, _ id: AccountID) throws -> JSONResponse {
        let filter = try Self.filter(request.uri.queryParameters)
        guard try arena.account(id) != nil else { throw APIError(.notFound, "No account \(id.rawValue).") }
        let rows = try arena.venueAudit(of: id, filter: filter)
        let next = rows.count == filter.limit ? rows.last?.id : nil
        return try JSONResponse(AuditPage(account_id: id.rawValue, entries: rows.map(Entry.init), next_cursor: next))
    }

    /// Reads the filters, naming every bad one at once.
    /// - Throws: `InvalidFilters` (400) listing each parameter that is unknown, repeated or out of range.
    static func filter(_ query: Parameters) throws -> VenueAuditFilter {
        var problems: [(name: String, message: String)] = []
        for name in Set(query.map { String($0.key) }).sorted() {
            if !parameters.contains(name) {
                problems.append((name, "\(name) is not a filter (known: \(parameters.sorted().joined(separator: ", ")))"))
            } else if query.getAll(name).count > 1 {
                problems.append((name, "\(name) is given more than once"))
            }
        }
        func integer(_ name: String, _ range: ClosedRange<Int64>) -> Int64? {
            guard let text = query[Substring(name)] else { return nil }
            guard let value = Int64(text), range.contains(value) else {
                problems.append((name, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)"))
                return nil
            }
            return value
        }
        var filter = VenueAuditFilter(limit: defaultLimit)
        filter.from = integer("from", 0...Int64.max).map(Timestamp.init(milliseconds:))
        filter.to = integer("to", 0...Int64.max).map(Timestamp.init(milliseconds:))
        if let from = filter.from, let to = filter.to, from.milliseconds > to.milliseconds {
            problems.append(("from", "from must not be after to"))
        }
        filter.limit = integer("limit", 1...Int64(maximumLimit)).map(Int.init) ?? defaultLimit
        filter.before = integer("before", 1...Int64.max)
        if let action = query["action"] {
            if (1...64).contains(action.utf8.count), action.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || (48...57).contains($0.value)) }) {
                filter.action = String(action)
            } else {
                problems.append(("action", "action must be an action or info type such as order, cancelByCloid or meta (1 to 64 letters and digits)"))
            }
        }
        if let status = query["status"] {
            if let outcome = VenueAuditOutcome(rawValue: String(status)) {
                filter.status = .outcome(outcome)
            } else if status.utf8.count == 3, let code = Int(status), (100...599).contains(code) {
                filter.status = .http(code)
            } else {
                let names = VenueAuditOutcome.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append(("status", "status must be one of \(names), or an HTTP status from 100 to 599"))
            }
        }
        guard problems.isEmpty else { throw InvalidFilters(problems: problems) }
        return filter
    }

    /// A 400 that names every bad filter: `{"error": "...", "invalid": ["limit", ...]}`.
    struct InvalidFilters: HTTPResponseError {
        let problems: [(name: String, message: String)]
        var status: HTTPResponse.Status { .badRequest }

        struct Body: Encodable {
            let error: String
            let invalid: [String]
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            var names: [String] = []
            for problem in problems where !names.contains(problem.name) { names.append(problem.name) }
            let message = "Bad filter values: " + problems.map(\.message).joined(separator: "; ") + "."
            return try JSONResponse(Body(error: message, invalid: names), status: status).response(from: request, context: context)
        }
    }
}
