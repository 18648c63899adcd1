import Hummingbird

/// Guards every mutating endpoint with `Authorization: Bearer <token>`.
///
/// Without a configured token the admin API is off: every guarded request is refused (403), so a
/// server started without one can never be changed over HTTP. The token is compared in constant
/// time and never logged.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: AdminToken?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else {
            throw APIError(.forbidden, "The admin API is disabled: set ARENA_ADMIN_TOKEN (or ARENA_ADMIN_TOKEN_FILE) and restart arena.")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              token.matches(String(header.dropFirst("Bearer ".count)))
        else {
            throw APIError(.unauthorized, "Send the admin token as Authorization: Bearer <token>.")
        }
        return try await next(request, context)
    }
}

/// The admin token, held apart so it never reaches a description or a log.
public struct AdminToken: Sendable, CustomStringConvertible {
    private let bytes: [UInt8]

    /// Returns nil for an empty or blank token.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        bytes = Array(trimmed.utf8)
    }

    /// Compares in time that depends only on the candidate's length, never on where it differs.
    func matches(_ candidate: String) -> Bool {
        let given = Array(candidate.utf8)
        var difference = UInt8(given.count == bytes.count ? 0 : 1)
        for index in 0..<given.count {
            difference |= given[index] ^ bytes[index % bytes.count]
        }
        return difference == 0
    }

    public var description: String { "AdminToken(redacted)" }
}

import Foundation
