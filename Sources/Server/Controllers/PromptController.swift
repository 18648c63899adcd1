import Arena
import ArenaCore
import Drivers
import Hummingbird

/// The prompts an LLM account's next decision would send: `GET /api/accounts/{id}/prompt`, for
/// operators (behind the admin tokens, read-only ones too), since prompts show the whole strategy.
struct PromptController: Sendable {
    let arena: any ArenaInterface
    let credentials: AdminCredentials

    func addRoutes(to router: Router<some AdminRequestContext>) {
        router.group().add(middleware: AdminAuthMiddleware(credentials: credentials))
            .get("/api/accounts/{id}/prompt") { _, context in try await prompt(context.parameters.accountID()) }
    }

    /// The answer's shape: both prompts as the provider would receive them.
    struct PromptBody: Encodable {
        let account_id: Int64
        let system: String
        let user: String
    }

    func prompt(_ id: AccountID) async throws -> JSONResponse {
        let preview = try await arena.promptPreview(of: id)
        return try JSONResponse(PromptBody(account_id: id.rawValue, system: preview.system, user: preview.user))
    }
}
