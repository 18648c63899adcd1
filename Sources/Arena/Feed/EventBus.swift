import ArenaCore
import Foundation
import Storage
import Synchronization

/// Fans feed messages out to subscribers and queues them for the `events` table.
///
/// Sequence numbers are assigned under one lock together with the fan-out, so every subscriber
/// sees messages in seq order. Each subscriber has a bounded queue; one that falls behind by more
/// than its queue is finished with `FeedSubscription.closeReason` set, never buffered without limit.
public final class EventBus: Sendable {
    private struct Subscriber {
        let continuation: AsyncStream<FeedMessage>.Continuation
        var filter: FeedFilter
        let subscription: FeedSubscription
    }

    private struct State {
        var lastSeq: Int64
        var subscribers: [UInt64: Subscriber] = [:]
        var nextSubscriberID: UInt64 = 0
        var unpersisted: [EventRecord] = []
    }

    private let state: Mutex<State>

    /// Creates a bus whose first message gets `lastSeq + 1`.
    public init(lastSeq: Int64) {
        state = Mutex(State(lastSeq: lastSeq))
    }

    /// The seq of the newest message.
    public var lastSeq: Int64 { state.withLock { $0.lastSeq } }

    /// The number of connected subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Publishes a message: assigns its seq, encodes it once, delivers it to every matching
    /// subscriber and queues it for persistence. Returns the message.
    @discardableResult
    public func publish<Payload: Encodable>(_ topic: FeedTopic, accountID: AccountID? = nil, time: Timestamp,
                                            data: Payload, persist: Bool = true) -> FeedMessage {
        let dataJSON = JSON.encode(data)
        var dropped: [AsyncStream<FeedMessage>.Continuation] = []
        let message = state.withLock { state in
            state.lastSeq += 1
            let seq = state.lastSeq
            var json = "{\"type\":\"\(topic.rawValue)\",\"seq\":\(seq),\"ts\":\(time.milliseconds)"
            if let accountID { json += ",\"account_id\":\(accountID.rawValue)" }
            json += ",\"data\":\(dataJSON)}"
            let message = FeedMessage(seq: seq, topic: topic, accountID: accountID, time: time, json: json)
            if persist {
                state.unpersisted.append(EventRecord(seq: seq, type: topic.rawValue, accountID: accountID, time: time, payload: json))
            }
            var overflowed: [UInt64] = []
            for (id, subscriber) in state.subscribers where subscriber.filter.matches(message) {
                if case .dropped = subscriber.continuation.yield(message) {
                    subscriber.subscription.markOverflowed()
                    overflowed.append(id)
                }
            }
            for id in overflowed {
                if let subscriber = state.subscribers.removeValue(forKey: id) { dropped.append(subscriber.continuation) }
            }
            return message
        }
        // Finishing runs the stream's termination handler, which takes the lock: do it outside.
        for continuation in dropped { continuation.finish() }
        return message
    }

    /// Subscribes to messages matching `filter`, holding at most `queueLimit` undelivered ones.
    public func subscribe(filter: FeedFilter, queueLimit: Int) -> (FeedSubscription, AsyncStream<FeedMessage>) {
        let (stream, continuation) = AsyncStream<FeedMessage>.makeStream(bufferingPolicy: .bufferingOldest(max(1, queueLimit)))
        let (id, subscription) = state.withLock { state in
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            let subscription = FeedSubscription(id: id)
            state.subscribers[id] = Subscriber(continuation: continuation, filter: filter, subscription: subscription)
            return (id, subscription)
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return (subscription, stream)
    }

    /// Replaces what a subscription receives from now on.
    public func update(_ subscription: FeedSubscription, filter: FeedFilter) {
        state.withLock { $0.subscribers[subscription.id]?.filter = filter }
    }

    /// Takes the messages not yet written to the database.
    public func drainUnpersisted() -> [EventRecord] {
        state.withLock { state in
            defer { state.unpersisted.removeAll(keepingCapacity: true) }
            return state.unpersisted
        }
    }

    /// Ends every subscription (shutdown).
    public func finishAll() {
        let continuations = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }
}

/// What a subscriber wants: some topics, some accounts (empty means all).
public struct FeedFilter: Sendable, Hashable {
    public var topics: Set<FeedTopic>
    public var accounts: Set<AccountID>

    public init(topics: Set<FeedTopic> = [], accounts: Set<AccountID> = []) {
        self.topics = topics
        self.accounts = accounts
    }

    public static let everything = FeedFilter()

    /// Whether `message` passes. Messages about no account pass any account filter.
    public func matches(_ message: FeedMessage) -> Bool {
        (topics.isEmpty || topics.contains(message.topic))
            && (accounts.isEmpty || message.accountID.map(accounts.contains) ?? true)
    }
}

/// A handle on one subscription: tells whether it was closed for falling behind.
public final class FeedSubscription: Sendable {
    let id: UInt64
    private let overflowed = Atomic<Bool>(false)
    init(id: UInt64) { self.id = id }
    func markOverflowed() { overflowed.store(true, ordering: .relaxed) }
    /// Why the subscription ended, if the bus ended it.
    public var closeReason: String? {
        overflowed.load(ordering: .relaxed) ? "The client fell too far behind the feed; reconnect and resume from your last seq." : nil
    }
}

/// Compact, key-sorted JSON for feed payloads and API bodies.
public enum JSON {
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}
