import Arena
import Foundation
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

    struct QueryError: Error {
        var message = "Invalid feed query: topics must be feed types, accounts positive ids, after_seq a non-negative integer."
    }

    static let maximumClientMessageBytes = 16_384

    /// A reply to a client message; it carries no seq because it is not part of the feed.
    static func controlMessage(_ type: String, _ data: [String: [String]]) -> String {
        "{\"type\":\"\(type)\",\"data\":\(JSON.encode(data))}"
    }

    struct SubscribeMessage: Decodable {
        let op: String
        let topics: [String]?
        let accounts: [Int64]?
    }

    /// Parses `{"op":"subscribe","topics":[...],"accounts":[...]}`; empty or absent lists mean all.
    static func parseSubscription(_ text: String) -> Result<FeedFilter, QueryError> {
        guard let message = try? JSONDecoder().decode(SubscribeMessage.self, from: Data(text.utf8)) else {
            return .failure(QueryError(message: "Messages must be JSON like {\"op\":\"subscribe\",\"topics\":[\"fill\"],\"accounts\":[1]}."))
        }
        guard message.op == "subscribe" else { return .failure(QueryError(message: "Unknown op; the only op is subscribe.")) }
        var filter = FeedFilter()
        for name in message.topics ?? [] {
            guard let topic = FeedTopic(rawValue: name) else {
                return .failure(QueryError(message: "Unknown topic; topics are \(FeedTopic.allCases.map(\.rawValue).joined(separator: ", "))."))
            }
            filter.topics.insert(topic)
        }
        for raw in message.accounts ?? [] {
            guard raw > 0 else { return .failure(QueryError(message: "Account ids are positive integers.")) }
            filter.accounts.insert(AccountID(raw))
        }
        return .success(filter)
    }

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
                // Client messages change the subscription: {"op":"subscribe","topics":[...],"accounts":[...]}.
                for try await message in inbound.messages(maxSize: Self.maximumClientMessageBytes) {
                    guard case .text(let text) = message else { continue }
                    let reply: String
                    switch Self.parseSubscription(text) {
                    case .success(let filter):
                        runtime.bus.update(subscription, filter: filter)
                        reply = Self.controlMessage("subscribed", [
                            "topics": filter.topics.map(\.rawValue).sorted(),
                            "accounts": filter.accounts.map { String($0.rawValue) }.sorted(),
                        ])
                    case .failure(let error):
                        reply = Self.controlMessage("error", ["message": [error.message]])
                    }
                    try await outbound.write(.text(reply))
                }
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
