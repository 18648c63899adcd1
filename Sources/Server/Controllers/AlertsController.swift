import Arena
import ArenaCore
import Custody
import Hummingbird
import Storage

/// The alert webhooks and their deliveries, for operators, behind the admin tokens: adding and
/// removing a webhook needs an admin token (and is recorded in `admin_actions`), reading works
/// with a read-only one too. A webhook's URL is never shown whole: it may hold a token.
struct AlertsController: Sendable {
    let service: AlertService?
    let arena: any ArenaInterface
    let credentials: AdminCredentials

    static let defaultLimit = 100
    static let maximumLimit = 1_000
    static let parameters: Set<String> = ["webhook_id", "before", "limit"]

    /// The alert service, or a 404 saying this server has none.
    var alerts: AlertService {
        get throws {
            guard let service else { throw APIError(.notFound, "Alerts are not set up on this server (arena serve sets them up).") }
            return service
        }
    }

    func addRoutes(to router: Router<ArenaRequestContext>) {
        let admin = router.group().add(middleware: AdminAuthMiddleware(credentials: credentials))
            .add(middleware: AdminActionMiddleware(arena: arena))
        admin.get("/api/alerts/webhooks") { _, _ in
            let service = try alerts
            let views = service.webhooks.map(WebhookView.init) + service.unreadableWebhooks.map(WebhookView.init)
            return try JSONResponse(WebhookList(webhooks: views.sorted { $0.id < $1.id }))
        }
        admin.post("/api/alerts/webhooks") { request, context in
            let body = try await request.decode(as: AddWebhook.self, context: context)
            do {
                let webhook = try alerts.add(url: body.url, format: body.format, chatID: body.chat_id)
                return try JSONResponse(WebhookView(webhook), status: .created)
            } catch let error as CustodyError {
                // The master key was rotated under the running server: its key no longer seals for this database.
                throw APIError(.conflict, error.description)
            }
        }
        admin.delete("/api/alerts/webhooks/{id}") { _, context in
            let id = try context.parameters.require("id", as: Int64.self)
            guard try alerts.remove(id) else { throw APIError(.notFound, "No alert webhook \(id) (GET /api/alerts/webhooks lists them).") }
            return try JSONResponse(Removed(id: id, removed: true))
        }
        admin.get("/api/alerts/deliveries") { request, _ in try deliveries(request.uri.queryParameters) }
    }

    struct AddWebhook: Decodable {
        let url: String
        let format: AlertFormat
        /// Telegram's chat; or `?chat_id=` in the URL.
        let chat_id: String?
    }

    struct WebhookView: Encodable {
        let id: Int64
        /// Scheme, host and port only: the rest may hold a token.
        let url: String
        let format: String
        let chat_id: String?
        let source: String
        /// Why a stored webhook receives nothing (its URL did not decrypt at start); null when it works.
        let error: String?

        init(_ webhook: AlertWebhook) {
            id = webhook.id
            url = webhook.maskedURL
            format = webhook.format.rawValue
            chat_id = webhook.format == .telegram ? webhook.chatIDForDisplay : nil
            source = webhook.source
            error = nil
        }

        init(_ webhook: UnreadableAlertWebhook) {
            id = webhook.id
            url = webhook.maskedURL
            format = webhook.format
            chat_id = webhook.chatID
            source = "api"
            error = webhook.error
        }
    }

    struct WebhookList: Encodable { let webhooks: [WebhookView] }
    struct Removed: Encodable {
        let id: Int64
        let removed: Bool
    }

    struct DeliveryView: Encodable {
        let id: Int64
        let webhook_id: Int64
        let webhook: String
        let format: String
        let event_kind: String
        let account_id: Int64?
        let event_seq: Int64?
        let message: String
        let status: String
        let attempts: Int
        let http_status: Int?
        let error: String?
        let created_at: Int64
        let finished_at: Int64

        init(_ record: AlertDeliveryRecord) {
            id = record.id
            webhook_id = record.webhookID
            webhook = record.webhook
            format = record.format
            event_kind = record.eventKind
            account_id = record.accountID?.rawValue
            event_seq = record.eventSeq
            message = record.message
            status = record.status
            attempts = record.attempts
            http_status = record.httpStatus
            error = record.error
            created_at = record.createdAt.milliseconds
            finished_at = record.finishedAt.milliseconds
        }
    }

    struct DeliveryPage: Encodable {
        let deliveries: [DeliveryView]
        /// Pass as `before` for the next (older) page; null on the last.
        let next_cursor: Int64?
    }

    func deliveries(_ query: Parameters) throws -> JSONResponse {
        for name in Set(query.map { String($0.key) }) where !Self.parameters.contains(name) {
            throw APIError(.badRequest, "\(name) is not a filter (known: \(Self.parameters.sorted().joined(separator: ", "))).")
        }
        func integer(_ name: String, _ range: ClosedRange<Int64>) throws -> Int64? {
            guard let text = query[Substring(name)] else { return nil }
            guard let value = Int64(text), range.contains(value) else {
                throw APIError(.badRequest, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound).")
            }
            return value
        }
        let limit = try integer("limit", 1...Int64(Self.maximumLimit)).map(Int.init) ?? Self.defaultLimit
        let rows = try alerts.deliveries(webhookID: try integer("webhook_id", 1...Int64.max), before: try integer("before", 1...Int64.max),
                                         limit: limit)
        return try JSONResponse(DeliveryPage(deliveries: rows.map(DeliveryView.init), next_cursor: rows.count == limit ? rows.last?.id : nil))
    }
}
