import Arena
import ArenaCore
import Hummingbird
import Storage

/// Lets an authenticated identity through by its role and stores every mutating request
/// (anything but GET and HEAD) in `admin_actions`: the identity's name, the method and route
/// pattern, the account it names, and the status it got, refusals included.
///
/// Sits inside `AdminAuthMiddleware`, which sets the identity. A read-only identity may call the
/// admin API's GET routes only; anything else is refused with 403 and stored as such.
struct AdminActionMiddleware<Context: AdminRequestContext>: RouterMiddleware {
    let arena: any ArenaInterface

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        guard let identity = context.adminIdentity else {
            // Only reachable if the routes were wired without authentication: fail closed.
            throw APIError(.unauthorized, "Send an admin token as Authorization: Bearer <token>.")
        }
        let route = context.endpointPath ?? request.uri.path
        guard identity.role == .admin else {
            let refusal = APIError(.forbidden, "The token \(identity.name) is read-only: it may call the admin API's GET routes, not \(request.method) \(route).")
            record(identity, request, route, context, status: refusal.status.code)
            throw refusal
        }
        do {
            let response = try await next(request, context)
            record(identity, request, route, context, status: response.status.code)
            return response
        } catch {
            record(identity, request, route, context, status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }

    private func record(_ identity: AdminIdentity, _ request: Request, _ route: String, _ context: Context, status: Int) {
        let accountID = (try? context.parameters.require("id", as: Int64.self)).flatMap { $0 > 0 ? AccountID($0) : nil }
        do {
            try arena.recordAdminAction(identity: identity.name, role: identity.role, method: "\(request.method)", route: route,
                                        accountID: accountID, status: status)
        } catch {
            context.logger.error("could not store an admin action", metadata: [
                "admin.identity": "\(identity.name)", "http.method": "\(request.method)", "http.route": "\(route)", "error": "\(error)"])
        }
        context.logger.notice("admin action", metadata: [
            "admin.identity": "\(identity.name)", "http.method": "\(request.method)", "http.route": "\(route)", "http.status": "\(status)"])
    }
}
