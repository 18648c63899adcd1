import Hummingbird

/// Authenticates every admin route with `Authorization: Bearer <token>` and puts who it is into
/// the context; `AdminActionMiddleware`, inside it, decides what that identity may do.
///
/// Without a configured token the admin API is off: every guarded request is refused (403), so a
/// server started without one can never be changed over HTTP. Tokens are compared as SHA-256
/// digests in constant time and never logged.
struct AdminAuthMiddleware<Context: AdminRequestContext>: RouterMiddleware {
    let credentials: AdminCredentials

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !credentials.isEmpty else {
            throw APIError(.forbidden, "The admin API is disabled: set ARENA_ADMIN_TOKEN, ARENA_ADMIN_TOKEN_FILE or ARENA_ADMIN_TOKENS_FILE and restart arena.")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let identity = credentials.identify(String(header.dropFirst("Bearer ".count)))
        else {
            context.logger.notice("admin request refused: no valid token",
                                  metadata: ["http.method": "\(request.method)", "http.route": "\(context.endpointPath ?? request.uri.path)"])
            throw APIError(.unauthorized, "Send an admin token as Authorization: Bearer <token>.")
        }
        var context = context
        context.adminIdentity = identity
        return try await next(request, context)
    }
}

/// The admin token of `ARENA_ADMIN_TOKEN` or `ARENA_ADMIN_TOKEN_FILE`, held apart so it never
/// reaches a description or a log; it becomes the identity `admin`.
public struct AdminToken: Sendable, CustomStringConvertible {
    let bytes: [UInt8]

    /// Returns nil for an empty or blank token.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        bytes = Array(trimmed.utf8)
    }

    public var description: String { "AdminToken(redacted)" }
}
