import Arena
import Hummingbird
import Logging

/// What an operator watches the server through: `/metrics`, the access log and the alert
/// webhooks. All off by default; `arena serve` turns them on.
public struct ServerOperations: Sendable {
    /// The registry `/metrics` shows; nil leaves the route out.
    public var metrics: MetricsExporter?
    /// Whether `/metrics` asks for an admin token.
    public var metricsTokenRequired: Bool
    /// Whether every request writes an access log line.
    public var accessLog: Bool
    /// The alert webhooks and their deliveries (`/api/alerts/...`); nil leaves the routes out.
    public var alerts: AlertService?

    public init(metrics: MetricsExporter? = nil, metricsTokenRequired: Bool = false, accessLog: Bool = false, alerts: AlertService? = nil) {
        self.metrics = metrics
        self.metricsTokenRequired = metricsTokenRequired
        self.accessLog = accessLog
        self.alerts = alerts
    }

    /// The middleware that times, counts and logs every request: the router's outermost.
    func observationMiddleware(logger: Logger) -> RequestObservationMiddleware {
        var accessLogger = logger
        accessLogger[metadataKey: "log"] = "access"
        return RequestObservationMiddleware(metrics: metrics?.metrics, accessLog: accessLog ? accessLogger : nil)
    }

    /// The routes are always there, so the API is the same on every server; off, they answer 404
    /// saying how to turn them on.
    func addRoutes(to router: Router<ArenaRequestContext>, arena: any ArenaInterface, credentials: AdminCredentials) {
        MetricsController(exporter: metrics, credentials: credentials, tokenRequired: metricsTokenRequired).addRoutes(to: router)
        AlertsController(service: alerts, arena: arena, credentials: credentials).addRoutes(to: router)
    }
}
