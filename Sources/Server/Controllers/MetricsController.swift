import Arena
import Hummingbird
import Prometheus

/// The Prometheus registry behind `/metrics` and the arena's metrics that report into it: one
/// per server, so two arenas in one process (tests) never mix their series.
public final class MetricsExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// What the arena and the HTTP server report to.
    public let metrics: ArenaMetrics

    /// - Parameter maximumLabelledAccounts: The most accounts with series of their own; later ones
    ///   are counted under `account="other"`.
    public init(maximumLabelledAccounts: Int = 200) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = ArenaMetrics.durationBuckets
        metrics = ArenaMetrics(factory: factory, maximumLabelledAccounts: maximumLabelledAccounts)
    }

    /// Every series in Prometheus's text format, after the readings taken at each scrape.
    public func exposition() -> [UInt8] {
        metrics.collect()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        registry.emit(into: &buffer)
        return buffer
    }
}

/// `GET /metrics`: the Prometheus text format. Open by default, like most exporters; behind the
/// admin tokens with `arena serve --metrics-token-required`.
struct MetricsController: Sendable {
    let exporter: MetricsExporter?
    let credentials: AdminCredentials
    let tokenRequired: Bool

    func addRoutes(to router: Router<ArenaRequestContext>) {
        let group = tokenRequired ? router.group().add(middleware: AdminAuthMiddleware(credentials: credentials)) : router.group()
        group.get("/metrics") { _, _ in
            guard let exporter else { throw APIError(.notFound, "Metrics are off on this server: start arena serve without --no-metrics.") }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: exporter.exposition())))
        }
    }
}
