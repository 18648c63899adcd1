import ArenaCore
import Custody
import Foundation
import HTTP
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// How alerts are delivered.
public struct AlertPolicy: Sendable {
    /// Attempts per delivery, the first included.
    public var maximumAttempts: Int
    /// The wait before the second attempt; it doubles before each later one.
    public var baseDelay: Duration
    /// Deliveries per webhook in any 60 seconds; more are stored as `rate_limited`, not sent.
    public var maximumPerMinute: Int
    /// Failed model decisions in a row (per account) that raise a `model_failures` alert.
    public var modelFailuresInARow: Int
    /// The longest one attempt may take.
    public var timeout: Duration

    public init(maximumAttempts: Int = 4, baseDelay: Duration = .seconds(1), maximumPerMinute: Int = 20, modelFailuresInARow: Int = 3,
                timeout: Duration = .seconds(10)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumPerMinute = max(1, maximumPerMinute)
        self.modelFailuresInARow = max(1, modelFailuresInARow)
        self.timeout = timeout
    }

    /// This policy with the roster's `alerts` numbers.
    public func applying(_ settings: AlertSettings?) -> AlertPolicy {
        var policy = self
        if let count = settings?.model_failures_in_a_row { policy.modelFailuresInARow = count }
        if let rate = settings?.max_per_minute { policy.maximumPerMinute = rate }
        return policy
    }
}

/// Sends the events a person must see to the configured webhooks: an account halted, the kill
/// switch, a liquidation, a mode change, a model failing N times in a row, the market source
/// down. One home for all of them: it follows the feed (alerts, mode changes and decisions, as
/// they were recorded), so no code path has to remember to call it.
///
/// Each delivery goes out through the project's HTTP client, is retried with doubling waits on a
/// transport error, a 429 or a 5xx, is rate-limited per webhook, and is stored with its result in
/// `alert_deliveries`. Webhook URLs may hold tokens: the roster's are read from the roster at each
/// start and kept in memory; those added through the API are stored sealed under the master key
/// (`alert_webhooks`) and loaded again at start. Shown, logged and stored in the clear only masked.
public final class AlertService: Service, Sendable {
    private struct State {
        var webhooks: [Int64: AlertWebhook] = [:]
        /// Stored webhooks whose URL could not be decrypted at start: listed with their error, never sent to.
        var unreadable: [Int64: UnreadableAlertWebhook] = [:]
        var nextID: Int64
        /// Start times of each webhook's recent deliveries, for the rate limit.
        var recent: [Int64: [ContinuousClock.Instant]] = [:]
    }

    private let state: Mutex<State>
    private let ledger: LedgerStore
    private let bus: EventBus
    private let http: HTTPClient
    public let policy: AlertPolicy
    private let metrics: ArenaMetrics
    private let clock: any WallClock
    private let logger: Logger
    /// Seals the URLs of webhooks added through the API; nil without a master key, and then such
    /// webhooks are refused.
    private let vault: KeyVault?

    /// Loads the webhooks stored by earlier runs; one whose URL does not decrypt is logged and
    /// listed with its error, never sent to.
    /// - Throws: A storage error reading the stored webhooks.
    public init(ledger: LedgerStore, bus: EventBus, http: HTTPClient, policy: AlertPolicy = AlertPolicy(), metrics: ArenaMetrics = .disabled,
                clock: any WallClock = SystemClock(), vault: KeyVault? = nil, logger: Logger) throws {
        self.ledger = ledger
        self.vault = vault
        self.bus = bus
        self.http = http
        self.policy = policy
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        // Ids go on from the last one stored, so a delivery's webhook id is never reused for another.
        var initial = State(nextID: try ledger.largestAlertWebhookID() + 1)
        for record in try ledger.storedAlertWebhooks() {
            let reason: String
            if let vault, let format = AlertFormat(rawValue: record.format) {
                do {
                    let url = try vault.alertWebhookURL(of: record).revealString()
                    initial.webhooks[record.id] = AlertWebhook(id: record.id, url: url, format: format, chatID: record.chatID, source: "api")
                    continue
                } catch {
                    reason = "\(error)"
                }
            } else if vault == nil {
                reason = "This server has no master key, so the webhook's stored URL cannot be decrypted. Restart with the master key (ARENA_MASTER_KEY_FILE) it was added under."
            } else {
                reason = "Its stored format \(record.format) is unknown."
            }
            initial.unreadable[record.id] = UnreadableAlertWebhook(id: record.id, maskedURL: record.maskedURL, format: record.format,
                                                                   chatID: record.chatID, error: reason)
            logger.error("a stored alert webhook cannot be used; it is listed with this error and receives nothing",
                         metadata: ["webhook.id": "\(record.id)", "webhook": "\(record.maskedURL)", "error": "\(reason)"])
        }
        if !initial.webhooks.isEmpty { logger.info("alert webhooks loaded", metadata: ["count": "\(initial.webhooks.count)"]) }
        state = Mutex(initial)
    }

    /// Adds the roster's webhooks (a `url_env` is read from `environment`).
    /// - Throws: `ArenaError.invalidRoster` for a missing variable or a bad webhook.
    public func addWebhooks(from settings: AlertSettings?, environment: [String: String]) throws {
        try settings?.validate()
        for webhook in settings?.webhooks ?? [] {
            var url = webhook.url
            if let name = webhook.url_env {
                guard let value = environment[name], !value.isEmpty else {
                    throw ArenaError.invalidRoster("alerts: the environment variable \(name) (url_env) is not set")
                }
                url = value
            }
            do {
                _ = try add(url: url ?? "", format: webhook.format, chatID: webhook.chat_id, source: "roster")
            } catch let error as ArenaError {
                throw ArenaError.invalidRoster("alerts webhook (\(webhook.format.rawValue)): \(error)")
            }
        }
    }

    /// Adds a webhook. One from the API (`source` "api") is first stored, its URL sealed under the
    /// master key, in one transaction, so it outlives a restart; the roster's are kept in memory.
    /// - Throws: `ArenaError.invalidRequest` for a bad URL, a Telegram webhook without a chat, or an
    ///   API webhook on a server without a master key; a custody or storage error, and then
    ///   nothing is added.
    public func add(url: String, format: AlertFormat, chatID: String?, source: String = "api") throws -> AlertWebhook {
        let (postURL, chat) = try AlertWebhook.validated(url: url, format: format, chatID: chatID)
        let persisted = source != "roster"
        if persisted, vault == nil { throw ArenaError.invalidRequest(CustodyError.alertWebhookNeedsMasterKey.description) }
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let webhook = AlertWebhook(id: id, url: postURL, format: format, chatID: chat, source: source)
        if persisted, let vault {
            try vault.storeAlertWebhook(id: id, url: SecretValue(postURL), format: format.rawValue, maskedURL: webhook.maskedURL,
                                        chatID: chat, now: clock.now())
        }
        state.withLock { $0.webhooks[id] = webhook }
        logger.notice("alert webhook added", metadata: ["webhook.id": "\(webhook.id)", "webhook": "\(webhook.maskedURL)",
                                                        "format": "\(format.rawValue)", "source": "\(source)"])
        return webhook
    }

    /// Removes a webhook, from the database too if it was stored; returns whether there was one.
    /// - Throws: A storage error; the webhook then stays.
    public func remove(_ id: Int64) throws -> Bool {
        let stored = try ledger.deleteAlertWebhook(id: id)
        let known = state.withLock { state in
            let unreadable = state.unreadable.removeValue(forKey: id) != nil
            return state.webhooks.removeValue(forKey: id) != nil || unreadable
        }
        return stored || known
    }

    /// Every webhook that receives alerts, by id.
    public var webhooks: [AlertWebhook] { state.withLock { $0.webhooks.values.sorted { $0.id < $1.id } } }

    /// Stored webhooks whose URL could not be decrypted at start, by id: they receive nothing until
    /// removed and added again (or the server restarts with the right master key).
    public var unreadableWebhooks: [UnreadableAlertWebhook] { state.withLock { $0.unreadable.values.sorted { $0.id < $1.id } } }

    /// Stored deliveries, newest first.
    /// - Throws: A storage error.
    public func deliveries(webhookID: Int64?, before: Int64?, limit: Int) throws -> [AlertDeliveryRecord] {
        try ledger.alertDeliveries(webhookID: webhookID, before: before, limit: limit)
    }

    // MARK: Following the feed

    public func run() async throws {
        let following = Following()
        await withDiscardingTaskGroup { deliveries in
            await withGracefulShutdownHandler {
                var failuresInARow: [Int64: Int] = [:]
                while !following.stopping.load(ordering: .relaxed) {
                    let subscription = bus.subscribe(filter: FeedFilter(topics: [.alert, .modeChange, .decision]),
                                                     queueLimit: bus.retainedMessages)
                    following.current.withLock { $0 = subscription }
                    if following.stopping.load(ordering: .relaxed) { subscription.cancel() }
                    while let frames = await subscription.next() {
                        for frame in frames {
                            guard let event = Self.event(from: frame, failuresInARow: &failuresInARow,
                                                         threshold: policy.modelFailuresInARow) else { continue }
                            for webhook in webhooks { deliveries.addTask { await self.deliver(event, to: webhook) } }
                        }
                    }
                    // Ended by shutdown, or by the bus for falling behind a burst: then follow it again.
                    guard subscription.closeReason != nil else { break }
                    logger.warning("alerts fell behind the feed; events of the burst were skipped, following it again")
                }
                // The feed ended with the arena: a service returns only once asked to stop.
                if !following.stopping.load(ordering: .relaxed) { try? await gracefulShutdown() }
            } onGracefulShutdown: {
                following.stopping.store(true, ordering: .relaxed)
                following.current.withLock { $0?.cancel() }
            }
        }
    }

    /// The subscription being followed, shared with the shutdown handler.
    private final class Following: Sendable {
        let current = Mutex<FeedSubscription?>(nil)
        let stopping = Atomic<Bool>(false)
    }

    /// The alert a feed message raises, if any. Failed decisions are counted per account; the
    /// `threshold`-th in a row raises one alert, and a decision that did not fail resets the count.
    static func event(from frame: String, failuresInARow: inout [Int64: Int], threshold: Int) -> AlertEvent? {
        // Most frames are decisions that did not fail, which matter only to a count under way.
        if failuresInARow.isEmpty, frame.hasPrefix("{\"type\":\"decision\""), !frame.contains("\"outcome\":\"failed\"") { return nil }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(frame.utf8))) as? [String: Any],
              let type = object["type"] as? String, let data = object["data"] as? [String: Any] else { return nil }
        let seq = (object["seq"] as? NSNumber)?.int64Value
        let time = Timestamp(milliseconds: (object["ts"] as? NSNumber)?.int64Value ?? 0)
        let account = (object["account_id"] as? NSNumber)?.int64Value
        let accountID = account.map { AccountID($0) }
        switch type {
        case FeedTopic.alert.rawValue:
            guard let kind = data["kind"] as? String, let message = data["message"] as? String else { return nil }
            return AlertEvent(kind: kind, message: message, accountID: accountID, seq: seq, time: time)
        case FeedTopic.modeChange.rawValue:
            let from = data["from"] as? String ?? "?"
            let to = data["to"] as? String ?? "?"
            let switched = data["switched"] as? Bool ?? false
            let reason = (data["reason"] as? String).map { ": \($0)" } ?? ""
            let message = switched ? "Account \(account ?? 0) switched from \(from) to \(to)."
                : "Account \(account ?? 0) could not switch from \(from) to \(to)\(reason)."
            return AlertEvent(kind: "mode_change", message: message, accountID: accountID, seq: seq, time: time)
        case FeedTopic.decision.rawValue:
            guard let account else { return nil }
            guard data["outcome"] as? String == "failed" else {
                failuresInARow[account] = nil
                return nil
            }
            let count = (failuresInARow[account] ?? 0) + 1
            failuresInARow[account] = count
            guard count == threshold else { return nil }
            let reason = (data["rejection_reason"] as? String).map { " The last: \($0)" } ?? ""
            return AlertEvent(kind: "model_failures",
                              message: "Account \(account) (\(data["model"] as? String ?? data["driver"] as? String ?? "driver")) failed \(count) decisions in a row.\(reason)",
                              accountID: accountID, seq: seq, time: time)
        default:
            return nil
        }
    }

    // MARK: Delivering

    /// Whether `webhook` may take one more delivery now; counts it if so.
    private func admit(_ webhook: AlertWebhook) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            var recent = state.recent[webhook.id, default: []].filter { now - $0 < .seconds(60) }
            let admitted = recent.count < policy.maximumPerMinute
            if admitted { recent.append(now) }
            state.recent[webhook.id] = recent
            return admitted
        }
    }

    /// Sends `event` to `webhook` with retries, then stores how it ended.
    func deliver(_ event: AlertEvent, to webhook: AlertWebhook) async {
        let createdAt = clock.now()
        var attempts = 0
        var httpStatus: Int?
        var error: String?
        var status = "failed"
        if !admit(webhook) {
            status = "rate_limited"
            error = "More than \(policy.maximumPerMinute) alerts a minute to this webhook; not sent."
        } else {
            let request = HTTPRequest(method: .post, url: webhook.url, headers: HTTPHeaders([("Content-Type", "application/json")]),
                                      body: webhook.body(for: event), timeout: policy.timeout, connectTimeout: policy.timeout,
                                      maximumResponseBytes: 64 * 1024, isIdempotent: true)
            var delay = policy.baseDelay
            while attempts < policy.maximumAttempts {
                attempts += 1
                var retry = true
                do {
                    let response = try await http.execute(request)
                    httpStatus = response.status
                    if response.isSuccess {
                        status = "delivered"
                        error = nil
                        break
                    }
                    error = "HTTP \(response.status): \(String(response.bodyText.prefix(200)))"
                    retry = response.status == 429 || response.status >= 500
                } catch is CancellationError {
                    error = "Cancelled at shutdown."
                    break
                } catch let failure {
                    httpStatus = nil
                    error = "\(failure)"
                }
                guard retry, attempts < policy.maximumAttempts else { break }
                do { try await Task.sleep(for: delay) } catch { break }
                delay = delay * 2
            }
        }
        metrics.alertDelivered(format: webhook.format.rawValue, status: status)
        if status != "delivered" {
            logger.warning("alert not delivered", metadata: ["webhook.id": "\(webhook.id)", "webhook": "\(webhook.maskedURL)",
                                                             "status": "\(status)", "attempts": "\(attempts)", "error": "\(error ?? "")"])
        }
        let record = AlertDeliveryRecord(
            webhookID: webhook.id, webhook: webhook.maskedURL, format: webhook.format.rawValue, eventKind: event.kind,
            accountID: event.accountID, eventSeq: event.seq, message: event.message, status: status, attempts: attempts,
            httpStatus: httpStatus, error: error.map { String($0.prefix(500)) }, createdAt: createdAt, finishedAt: clock.now())
        do {
            try ledger.insertAlertDelivery(record)
        } catch {
            logger.error("could not store an alert delivery", metadata: ["webhook.id": "\(webhook.id)", "error": "\(error)"])
        }
    }
}
