import Arena
import ArenaCore
import Hummingbird
import HummingbirdWebSocket

/// The live feed at `/ws/feed`.
///
/// Query parameters: `topics` (comma-separated feed types), `accounts` (comma-separated ids) and
/// `after_seq` (resume: first the stored messages after it, then live ones, with no gap and no
/// repeat). The first message is always `hello`.
struct FeedController: Sendable {
    let runtime: ArenaRuntime
    let queueLimit: Int

    /// How many stored messages one resume may replay before the client must page with the API.
    static let replayLimit = 10_000

    func addRoutes(to router: Router<BasicWebSocketRequestContext>) {
        router.ws("/ws/feed") { request, _ in
            switch Self.parse(request.uri.queryParameters) {
            case .success: .upgrade([:])
            case .failure: .dontUpgrade
            }
        } onUpgrade: { inbound, outbound, context in
            guard case .success(let (filter, afterSeq)) = Self.parse(context.request.uri.queryParameters) else { return }
            try await serve(filter: filter, afterSeq: afterSeq, inbound: inbound, outbound: outbound)
        }
    }

    struct QueryError: Error {}

    static func parse(_ query: Parameters) -> Result<(FeedFilter, Int64?), QueryError> {
        var filter = FeedFilter()
        if let topics = query["topics"], !topics.isEmpty {
            for name in topics.split(separator: ",") {
                guard let topic = FeedTopic(rawValue: String(name)) else { return .failure(QueryError()) }
                filter.topics.insert(topic)
            }
        }
        if let accounts = query["accounts"], !accounts.isEmpty {
            for text in accounts.split(separator: ",") {
                guard let raw = Int64(text), raw > 0 else { return .failure(QueryError()) }
                filter.accounts.insert(AccountID(raw))
            }
        }
        var afterSeq: Int64?
        if let text = query["after_seq"] {
            guard let value = Int64(text), value >= 0 else { return .failure(QueryError()) }
            afterSeq = value
        }
        return .success((filter, afterSeq))
    }

    func serve(filter: FeedFilter, afterSeq: Int64?, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        // Subscribe before reading history, so nothing published in between is lost.
        let (subscription, live) = runtime.bus.subscribe(filter: filter, queueLimit: queueLimit)
        let hello = HelloView(server: "arena", market: runtime.marketDescription, last_seq: runtime.bus.lastSeq,
                              topics: FeedTopic.allCases.map(\.rawValue))
        try await outbound.write(.text(
            "{\"type\":\"hello\",\"seq\":\(hello.last_seq),\"ts\":\(runtime.latestMarket?.time.milliseconds ?? 0),\"data\":\(JSON.encode(hello))}"))
        var lastSent = afterSeq ?? hello.last_seq
        if let afterSeq {
            runtime.flushFeed()
            let stored = try runtime.ledger.events(after: afterSeq, limit: Self.replayLimit)
            for event in stored where event.seq <= hello.last_seq {
                let message = FeedMessage(seq: event.seq, topic: FeedTopic(rawValue: event.type) ?? .alert, accountID: event.accountID,
                                          time: event.time, json: event.payload)
                guard filter.matches(message) else { continue }
                try await outbound.write(.text(event.payload))
                lastSent = event.seq
            }
            lastSent = max(lastSent, hello.last_seq)
        }
        let resumeAfter = lastSent
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Reading keeps control frames (ping, close) flowing; client messages are ignored.
                for try await _ in inbound {}
            }
            group.addTask {
                for await message in live where message.seq > resumeAfter {
                    try await outbound.write(.text(message.json))
                }
                if let reason = subscription.closeReason {
                    try await outbound.close(.policyViolation, reason: reason)
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
