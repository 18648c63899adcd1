import Arena
import ArenaCore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Storage

/// The live feed at `/ws/feed`.
///
/// Query parameters: `topics` (comma-separated feed types), `accounts` (comma-separated ids),
/// `after_seq` (resume: first the stored messages after it, then live ones, with no gap and no
/// repeat) and `batch` (`true`: a text frame may carry several messages, one JSON object per line,
/// which is how a client keeps up with a busy feed). The first message is always `hello`.
struct FeedController: Sendable {
    let arena: any ArenaInterface
    let queueLimit: Int
    /// Writes batched clients' frames from their event loops.
    let fanOut: FeedFanOut

    init(arena: any ArenaInterface, queueLimit: Int) {
        self.arena = arena
        self.queueLimit = queueLimit
        fanOut = FeedFanOut(bus: arena.feed)
    }

    /// How many stored messages one resume may replay before the client must page with the API.
    static let replayLimit = 10_000

    func addRoutes(to router: Router<ArenaRequestContext>) {
        router.ws("/ws/feed") { request, _ in
            switch Self.parse(request.uri.queryParameters) {
            case .success: .upgrade([:])
            case .failure: .dontUpgrade
            }
        } onUpgrade: { inbound, outbound, context in
            guard case .success(let query) = Self.parse(context.request.uri.queryParameters) else { return }
            try await serve(query, inbound: inbound, outbound: outbound, channel: context.requestContext.channel)
        }
    }

    struct QueryError: Error {
        var message = "Invalid feed query: topics must be feed types, accounts positive ids, symbols coin names, after_seq a non-negative integer, batch true or false."
    }

    static let maximumClientMessageBytes = 16_384

    /// What a client asked for in the query string.
    struct Query {
        var filter = FeedFilter()
        var afterSeq: Int64?
        var batched = false
    }

    /// A reply to a client message; it carries no seq because it is not part of the feed.
    static func controlMessage(_ type: String, _ data: [String: [String]]) throws -> String {
        "{\"type\":\"\(type)\",\"data\":\(try JSON.encode(data))}"
    }

    struct SubscribeMessage: Decodable {
        let op: String
        let topics: [String]?
        let accounts: [Int64]?
        let symbols: [String]?
    }

    /// Parses `{"op":"subscribe","topics":[...],"accounts":[...],"symbols":[...]}`; empty or absent lists mean all.
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
        for name in message.symbols ?? [] {
            guard let symbol = Symbol(name) else { return .failure(QueryError(message: "Symbols are coin names such as BTC.")) }
            filter.symbols.insert(symbol)
        }
        return .success(filter)
    }

    static func parse(_ parameters: Parameters) -> Result<Query, QueryError> {
        var query = Query()
        if let topics = parameters["topics"], !topics.isEmpty {
            for name in topics.split(separator: ",") {
                guard let topic = FeedTopic(rawValue: String(name)) else { return .failure(QueryError()) }
                query.filter.topics.insert(topic)
            }
        }
        if let accounts = parameters["accounts"], !accounts.isEmpty {
            for text in accounts.split(separator: ",") {
                guard let raw = Int64(text), raw > 0 else { return .failure(QueryError()) }
                query.filter.accounts.insert(AccountID(raw))
            }
        }
        if let symbols = parameters["symbols"], !symbols.isEmpty {
            for name in symbols.split(separator: ",") {
                guard let symbol = Symbol(String(name)) else { return .failure(QueryError()) }
                query.filter.symbols.insert(symbol)
            }
        }
        if let text = parameters["after_seq"] {
            guard let value = Int64(text), value >= 0 else { return .failure(QueryError()) }
            query.afterSeq = value
        }
        if let text = parameters["batch"] {
            switch text {
            case "true", "1": query.batched = true
            case "false", "0": query.batched = false
            default: return .failure(QueryError())
            }
        }
        return .success(query)
    }

    func serve(_ query: Query, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel) async throws {
        // Subscribe before reading history, so nothing published in between is lost.
        let subscription = arena.feed.subscribe(filter: query.filter, queueLimit: queueLimit, batched: query.batched,
                                                 after: query.afterSeq)
        defer { subscription.cancel() }
        let hello = HelloView(server: "arena", market: arena.marketDescription, last_seq: subscription.startSeq,
                              topics: FeedTopic.allCases.map(\.rawValue), batched: query.batched)
        try await outbound.write(.text(
            FeedMessage(seq: hello.last_seq, topic: .hello, accountID: nil, time: arena.latestMarket?.time ?? Timestamp(milliseconds: 0),
                        dataJSON: try JSON.encode(hello)).json))
        if let afterSeq = query.afterSeq {
            let stored = try arena.events(after: afterSeq, limit: Self.replayLimit)
            var replay: [String] = []
            // Seqs have no gaps: a first stored message past after_seq + 1 means the ones between
            // were pruned by the retention window. Say so before replaying what is kept.
            if let first = stored.first?.seq, first > afterSeq + 1 {
                replay.append("{\"type\":\"pruned\",\"data\":{\"after_seq\":\(afterSeq),\"first_seq\":\(first),"
                    + "\"message\":\"Messages \(afterSeq + 1) to \(first - 1) are past the feed's retention window; reload the state from the API.\"}}")
            }
            // Every message is stored before it is published: all up to the hello's seq are here.
            for message in stored where message.seq <= hello.last_seq && query.filter.matches(message) {
                replay.append(message.json)
            }
            let frames = query.batched ? EventBus.frames(joining: replay, maximumBytes: arena.feed.batchFrameBytes) : replay
            for frame in frames { try await outbound.write(.text(frame)) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Client messages change the subscription: {"op":"subscribe","topics":[...],"accounts":[...]}.
                for try await message in inbound.messages(maxSize: Self.maximumClientMessageBytes) {
                    guard case .text(let text) = message else { continue }
                    let reply: String
                    switch Self.parseSubscription(text) {
                    case .success(let filter):
                        arena.feed.update(subscription, filter: filter)
                        reply = try Self.controlMessage("subscribed", [
                            "topics": filter.topics.map(\.rawValue).sorted(),
                            "accounts": filter.accounts.map { String($0.rawValue) }.sorted(),
                            "symbols": filter.symbols.map(\.name).sorted(),
                        ])
                    case .failure(let error):
                        reply = try Self.controlMessage("error", ["message": [error.message]])
                    }
                    try await outbound.write(.text(reply))
                }
            }
            group.addTask {
                if query.batched {
                    // Written from the connection's event loop, once per interval, once the loop
                    // has reached what this task wrote above.
                    let (ended, endedContinuation) = AsyncStream<Void>.makeStream()
                    try await channel.eventLoop.submit {}.get()
                    fanOut.add(subscription, channel: channel) { endedContinuation.finish() }
                    defer { fanOut.remove(subscription, channel: channel) }
                    for await _ in ended {}
                } else {
                    while let frames = await subscription.next() {
                        for frame in frames { try await outbound.write(.text(frame)) }
                        // A write only queues the frame for the connection's event loop; waiting
                        // for the loop to reach it keeps a busy server from queueing frame after
                        // frame (and memory) per client: the next take gathers more messages.
                        try await channel.eventLoop.submit {}.get()
                    }
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
