import ArenaCore
import CoreMetrics
import Hyperliquid
import Storage
import Synchronization

/// The arena's metrics, the one catalog of their names and labels: what the recording path, the
/// venue audit and the HTTP server report, through `swift-metrics`, into the factory given (the
/// server's Prometheus registry for `/metrics`; nothing when disabled).
///
/// Every metric keeps one fixed set of label names. Labels whose values come from data (accounts,
/// models, rejection reasons, routes) go through a `BoundedLabel`, so a long-running arena with
/// many accounts or chatty reasons never grows the series without bound.
public final class ArenaMetrics: Sendable {
    /// The metric names, as exported (Prometheus names).
    public enum Name {
        public static let decisions = "arena_decisions_total"
        public static let decisionDuration = "arena_decision_duration_seconds"
        public static let modelDuration = "arena_model_call_duration_seconds"
        public static let modelTokens = "arena_model_tokens_total"
        public static let modelCost = "arena_model_cost_usd_total"
        public static let orders = "arena_orders_total"
        public static let orderRejections = "arena_order_rejections_total"
        public static let fills = "arena_fills_total"
        public static let liquidations = "arena_liquidations_total"
        public static let venueRequests = "arena_venue_requests_total"
        public static let venueDuration = "arena_venue_request_duration_seconds"
        public static let venueBudget = "arena_venue_request_budget_available"
        public static let feedClients = "arena_feed_clients"
        public static let feedLag = "arena_feed_max_lag_messages"
        public static let feedSeq = "arena_feed_last_seq"
        public static let httpRequests = "arena_http_requests_total"
        public static let httpDuration = "arena_http_request_duration_seconds"
        public static let databaseWriteDuration = "arena_database_write_duration_seconds"
        public static let alertDeliveries = "arena_alert_deliveries_total"
    }

    /// Histogram buckets per timer, in seconds: model calls take up to minutes, a SQLite write
    /// well under a millisecond.
    public static let durationBuckets: [String: [Duration]] = [
        Name.decisionDuration: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120].map(seconds),
        Name.modelDuration: [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120].map(seconds),
        Name.venueDuration: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map(seconds),
        Name.httpDuration: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5].map(seconds),
        Name.databaseWriteDuration: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1].map(seconds),
    ]

    private static func seconds(_ value: Double) -> Duration { .nanoseconds(Int64(value * 1e9)) }

    /// Metrics that report nowhere: the default of an arena run without `/metrics`.
    public static let disabled = ArenaMetrics(factory: NOOPMetricsHandler.instance)

    let factory: any MetricsFactory
    /// Account ids as labels: the first `maximumLabelledAccounts` seen; later ones are `other`.
    let accounts: BoundedLabel
    let models: BoundedLabel
    let reasons: BoundedLabel
    let routes: BoundedLabel
    private let collectors = Mutex<[@Sendable (ArenaMetrics) -> Void]>([])
    /// Made once: every ledger transaction reports to one of them.
    private let committedWrites: Timer
    private let failedWrites: Timer

    /// Creates the metrics of one arena, reporting into `factory`.
    /// - Parameter maximumLabelledAccounts: The most accounts with series of their own.
    public init(factory: any MetricsFactory, maximumLabelledAccounts: Int = 200) {
        self.factory = factory
        accounts = BoundedLabel(capacity: maximumLabelledAccounts)
        models = BoundedLabel(capacity: 50)
        reasons = BoundedLabel(capacity: 40)
        routes = BoundedLabel(capacity: 200)
        committedWrites = Timer(label: Name.databaseWriteDuration, dimensions: [("outcome", "committed")], factory: factory)
        failedWrites = Timer(label: Name.databaseWriteDuration, dimensions: [("outcome", "failed")], factory: factory)
    }

    /// Adds a reading taken at each scrape (gauges of state that is cheaper read than tracked).
    public func addCollector(_ collector: @escaping @Sendable (ArenaMetrics) -> Void) {
        collectors.withLock { $0.append(collector) }
    }

    /// Takes every collector's reading: call before exporting.
    public func collect() {
        for collector in collectors.withLock({ $0 }) { collector(self) }
    }

    func account(_ id: AccountID?) -> String { id.map { accounts.value("\($0.rawValue)") } ?? "none" }

    // MARK: Reports

    /// A decision stored (with its orders, if it placed any).
    func decisionStored(_ decision: DecisionRecord) {
        let account = account(decision.accountID)
        Counter(label: Name.decisions, dimensions: [("account", account), ("outcome", decision.outcome.rawValue)], factory: factory)
            .increment()
        guard let latency = decision.latencyMilliseconds else { return }
        Timer(label: Name.decisionDuration, dimensions: [("account", account), ("driver", models.value(decision.driverKind))],
              factory: factory).recordMilliseconds(latency)
        guard let provider = decision.provider else { return }
        let model = models.value("\(provider)/\(decision.model ?? "unknown")")
        Timer(label: Name.modelDuration, dimensions: [("model", model), ("outcome", decision.outcome.rawValue)], factory: factory)
            .recordMilliseconds(latency)
        for (kind, tokens) in [("prompt", decision.promptTokens), ("completion", decision.completionTokens)] {
            guard let tokens, tokens > 0 else { continue }
            Counter(label: Name.modelTokens, dimensions: [("account", account), ("model", model), ("kind", kind)], factory: factory)
                .increment(by: tokens)
        }
        if let cost = decision.costUSD, cost.isPositive, let dollars = Double(cost.description) {
            // A metric is a float by nature; the ledger keeps the exact cost.
            FloatingPointCounter(label: Name.modelCost, dimensions: [("account", account), ("model", model)], factory: factory)
                .increment(by: dollars)
        }
    }

    /// What one executor call did: order updates by status, rejections by reason, fills, liquidations.
    func executorEvents(_ events: [ExchangeEvent], account id: AccountID, mode: AccountMode) {
        let account = account(id)
        for event in events {
            switch event {
            case .orderUpdated(let order):
                Counter(label: Name.orders, dimensions: [("account", account), ("mode", mode.rawValue), ("status", order.status.rawValue)],
                        factory: factory).increment()
                if order.status == .rejected {
                    Counter(label: Name.orderRejections, dimensions: [("reason", reasons.value(Self.reasonClass(order.rejectionReason)))],
                            factory: factory).increment()
                }
            case .filled:
                Counter(label: Name.fills, dimensions: [("account", account), ("mode", mode.rawValue)], factory: factory).increment()
            case .liquidated:
                Counter(label: Name.liquidations, dimensions: [("account", account)], factory: factory).increment()
            case .fundingPaid:
                break
            }
        }
    }

    /// One attempt sent to the venue, by endpoint and outcome, and its latency.
    func venueRequest(_ report: VenueRequestReport, outcome: String) {
        let endpoint = report.endpoint == "exchange" ? "exchange" : "info"
        Counter(label: Name.venueRequests, dimensions: [("endpoint", endpoint), ("status", outcome)], factory: factory).increment()
        Timer(label: Name.venueDuration, dimensions: [("endpoint", endpoint)], factory: factory)
            .recordMilliseconds(report.latencyMilliseconds)
    }

    /// One write transaction of the ledger, from its start to its commit.
    func databaseWrite(_ duration: Duration) {
        committedWrites.record(duration)
    }

    /// A database write that failed (rolled back).
    func databaseWriteFailed(_ duration: Duration) {
        failedWrites.record(duration)
    }

    /// One HTTP request answered, by method, route pattern (never the raw path) and status.
    public func httpRequest(method: String, route: String, status: Int, duration: Duration) {
        let dimensions = [("method", method), ("route", routes.value(route)), ("status", "\(status)")]
        Counter(label: Name.httpRequests, dimensions: dimensions, factory: factory).increment()
        Timer(label: Name.httpDuration, dimensions: dimensions, factory: factory).record(duration)
    }

    /// One alert delivery finished, by format and result.
    func alertDelivered(format: String, status: String) {
        Counter(label: Name.alertDeliveries, dimensions: [("format", format), ("status", status)], factory: factory).increment()
    }

    /// Sets a gauge without labels of its own beyond `dimensions`.
    public func gauge(_ name: String, _ value: Double, dimensions: [(String, String)] = []) {
        Gauge(label: name, dimensions: dimensions, factory: factory).record(value)
    }

    /// A rejection reason without its numbers, names in parentheses and the rest of its sentence:
    /// "Leverage 20x for BTC is above..." and "Leverage 7x for ETH is above..." are one class.
    static func reasonClass(_ reason: String?) -> String {
        guard let reason, !reason.isEmpty else { return "unknown" }
        var words: [String] = []
        for word in reason.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "," || $0 == "." }) {
            if word.hasPrefix("(") { break }
            let lower = word.lowercased()
            let kept = lower.contains(where: \.isNumber) || word.allSatisfy(\.isUppercase) ? "n" : lower
            words.append(kept.filter { $0.isLetter || $0 == "-" || $0 == "_" || $0 == "'" })
            if words.count == 5 { break }
        }
        let text = words.filter { !$0.isEmpty }.joined(separator: " ")
        return text.isEmpty ? "unknown" : String(text.prefix(60))
    }
}

extension Timer {
    func recordMilliseconds<Value: BinaryInteger>(_ milliseconds: Value) {
        recordNanoseconds(Int64(milliseconds) * 1_000_000)
    }

    func record(_ duration: Duration) {
        recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}

/// A label whose values come from data, kept to `capacity` distinct values: the first ones seen
/// keep their own value, later ones become `other`.
final class BoundedLabel: Sendable {
    private let known = Mutex<Set<String>>([])
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func value(_ candidate: String) -> String {
        known.withLock { known in
            if known.contains(candidate) { return candidate }
            guard known.count < capacity else { return "other" }
            known.insert(candidate)
            return candidate
        }
    }
}
