import Arena
import Hummingbird
import Logging
import NIOCore

/// Counts and times every request by its route pattern (never the raw path, so ids and query
/// strings neither leak nor multiply series) and writes the access log line: method, route,
/// status, duration and client address. A token, an Authorization header or a query string is
/// never read, so none can reach the log.
struct RequestObservationMiddleware: RouterMiddleware {
    typealias Context = ArenaRequestContext

    let metrics: ArenaMetrics?
    let accessLog: Logger?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            observe(request, context: context, status: Int(response.status.code), started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            observe(request, context: context, status: status, started: started)
            throw error
        }
    }

    private func observe(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        let duration = ContinuousClock.now - started
        let route = Self.route(of: context, status: status)
        metrics?.httpRequest(method: request.method.rawValue, route: route, status: status, duration: duration)
        guard let accessLog else { return }
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        accessLog.info("request", metadata: [
            "http.method": "\(request.method.rawValue)",
            "http.route": "\(route)",
            "http.status": "\(status)",
            "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
            "client": "\(context.channel.remoteAddress?.ipAddress ?? "-")",
        ])
    }

    /// The matched route's pattern; `static` for the page's files, `unmatched` for the rest.
    static func route(of context: Context, status: Int) -> String {
        // Hummingbird names an unmatched request's endpoint `NotFound`; a route pattern starts with a slash.
        if let path = context.endpointPath, path.hasPrefix("/") { return path }
        return status < 400 ? "static" : "unmatched"
    }
}
