import ArenaCore
import Foundation
import Storage
import Synchronization

/// Fans committed feed messages out to subscribers.
///
/// Messages arrive already stored: `Recorder` writes each into the `events` table in the
/// transaction of the change it reports, then publishes it here, in seq order.
///
/// Every message is kept once, in a ring of the most recent ones; a subscriber is a cursor into
/// that ring and takes everything new at once, so a client that falls behind catches up in fewer,
/// larger writes instead of costing more. Sequence numbers are assigned under the same lock, so
/// every subscriber sees messages in seq order. A subscriber more than its queue limit behind is
/// closed with `FeedSubscription.closeReason` set, never buffered without limit.
///
/// Two kinds of subscriber: a plain one is woken by each message it wants and gets one frame per
/// message; a batched one is woken at most once per `batchInterval` and gets the messages since
/// its last take joined one per line into frames of at most `batchFrameBytes`. Batched
/// subscribers that are up to date take the same range at each tick, so its frames are joined
/// once and shared: a busy feed costs one wake-up and one write per client per tick, and a
/// publish touches only the plain subscribers waiting for it. The same tick closes subscribers
/// that fell too far behind.
public final class EventBus: Sendable {
    /// A class, so the tick's pass over every subscriber copies no state; touched only under the lock.
    private final class Subscriber {
        var filter: FeedFilter
        /// The seq of the last message this subscriber has taken or skipped.
        var cursor: Int64
        let queueLimit: Int64
        let batched: Bool
        let status: FeedSubscription.Status
        /// Set while the subscriber waits.
        var waiter: CheckedContinuation<Void, Never>?
        /// Set at shutdown: the subscriber takes what is left, then ends.
        var finishing = false

        init(filter: FeedFilter, cursor: Int64, queueLimit: Int64, batched: Bool, status: FeedSubscription.Status) {
            self.filter = filter
            self.cursor = cursor
            self.queueLimit = queueLimit
            self.batched = batched
            self.status = status
        }
    }

    /// Batched frames are shared by every subscriber taking the same range with the same filter.
    private struct FrameKey: Hashable {
        let filter: FeedFilter
        let after: Int64
        let through: Int64
    }

    private struct State {
        var lastSeq: Int64
        /// The newest seq batched subscribers may take, advanced once per batch interval.
        var batchSeq: Int64
        /// The newest messages, at `seq % ring.count` (empty slots are nil).
        var ring: [FeedMessage?]
        var subscribers: [UInt64: Subscriber] = [:]
        /// Plain subscribers waiting for their next message: the only ones a publish looks at.
        var waitingPlain: [UInt64: Subscriber] = [:]
        var nextSubscriberID: UInt64 = 0
        var tickerRunning = false
        /// Frames joined since the last tick.
        var frames: [FrameKey: [String]] = [:]
        var finished = false

        /// Removes a subscriber and hands back its waiter, to be resumed outside the lock.
        mutating func remove(_ id: UInt64) -> CheckedContinuation<Void, Never>? {
            waitingPlain.removeValue(forKey: id)
            guard let subscriber = subscribers.removeValue(forKey: id) else { return nil }
            defer { subscriber.waiter = nil }
            return subscriber.waiter
        }

        /// Removes a subscriber that fell more than its queue limit behind.
        mutating func closeIfOverflowed(_ subscriber: Subscriber, id: UInt64) -> (overflowed: Bool, waiter: CheckedContinuation<Void, Never>?) {
            guard lastSeq - subscriber.cursor > subscriber.queueLimit else { return (false, nil) }
            subscriber.status.set(.overflowed)
            return (true, remove(id))
        }
    }

    private let state: Mutex<State>

    /// The most messages a subscriber may fall behind by: the ring's size.
    public let retainedMessages: Int
    /// How often batched subscribers are woken at most.
    public let batchInterval: Duration
    /// The most bytes a batched frame carries (a single larger message still goes whole).
    public let batchFrameBytes: Int

    /// Creates a bus whose first message gets `lastSeq + 1`, keeping the newest `retainedMessages`
    /// in memory for subscribers. The defaults bound a batched client's added delay to 10 ms and
    /// its frames to 16 KiB, the frame limit many WebSocket clients default to.
    public init(lastSeq: Int64, retainedMessages: Int = 16_384, batchInterval: Duration = .milliseconds(10),
                batchFrameBytes: Int = 16_384) {
        self.retainedMessages = max(1, retainedMessages)
        self.batchInterval = batchInterval
        self.batchFrameBytes = batchFrameBytes
        state = Mutex(State(lastSeq: lastSeq, batchSeq: lastSeq, ring: Array(repeating: nil, count: max(1, retainedMessages))))
    }

    /// The seq of the newest message.
    public var lastSeq: Int64 { state.withLock { $0.lastSeq } }

    /// The number of connected subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// How many messages the subscriber furthest behind has yet to take (0 with none): the
    /// feed's lag, for `/metrics`.
    public var largestSubscriberLag: Int64 {
        state.withLock { state in state.subscribers.values.reduce(0) { max($0, state.lastSeq - $1.cursor) } }
    }

    /// Publishes stored messages, whose seqs follow the last one published without a gap: keeps
    /// them in the ring and wakes the plain subscribers waiting for them.
    public func publish(_ messages: [FeedMessage]) {
        guard !messages.isEmpty else { return }
        var wake: [CheckedContinuation<Void, Never>] = []
        state.withLock { state in
            for message in messages {
                precondition(message.seq == state.lastSeq + 1, "feed messages are published in seq order, without a gap")
                state.lastSeq = message.seq
                if state.finished { continue }
                state.ring[Int(message.seq % Int64(state.ring.count))] = message
                var woken: [UInt64] = []
                for (id, subscriber) in state.waitingPlain {
                    // A waiting plain subscriber is up to date: it either wants this message or skips it.
                    if subscriber.filter.matches(message) {
                        if let waiter = subscriber.waiter { wake.append(waiter) }
                        subscriber.waiter = nil
                        woken.append(id)
                    } else {
                        subscriber.cursor = message.seq
                    }
                }
                for id in woken { state.waitingPlain.removeValue(forKey: id) }
            }
        }
        for waiter in wake { waiter.resume() }
    }

    /// Subscribes to messages matching `filter` published from now on (or after `after`, if that
    /// is later). The subscriber may fall at most `queueLimit` messages (of all topics) behind,
    /// and never more than `retainedMessages`.
    public func subscribe(filter: FeedFilter, queueLimit: Int, batched: Bool = false, after: Int64? = nil) -> FeedSubscription {
        let (subscription, startTicker) = state.withLock { state in
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            let subscription = FeedSubscription(id: id, startSeq: state.lastSeq, bus: self)
            guard !state.finished else {
                subscription.status.set(.finished)
                return (subscription, false)
            }
            state.subscribers[id] = Subscriber(filter: filter, cursor: max(state.lastSeq, after ?? 0),
                                               queueLimit: Int64(min(max(1, queueLimit), retainedMessages)),
                                               batched: batched, status: subscription.status)
            let startTicker = !state.tickerRunning
            state.tickerRunning = true
            return (subscription, startTicker)
        }
        // The ticker stops by itself once no subscriber is left.
        if startTicker { Task { await runTicker() } }
        return subscription
    }

    /// Replaces what a subscription receives from now on.
    public func update(_ subscription: FeedSubscription, filter: FeedFilter) {
        state.withLock { _ = $0.subscribers[subscription.id].map { $0.filter = filter } }
    }

    /// Once per batch interval: lets batched subscribers take everything published so far, wakes
    /// those waiting with something new, and closes subscribers too far behind.
    private func runTicker() async {
        while true {
            try? await Task.sleep(for: batchInterval)
            let waiters: [CheckedContinuation<Void, Never>]? = state.withLock { state in
                guard !state.subscribers.isEmpty, !state.finished else {
                    state.tickerRunning = false
                    return nil
                }
                state.batchSeq = state.lastSeq
                state.frames.removeAll(keepingCapacity: true)
                var waiters: [CheckedContinuation<Void, Never>] = []
                var overflowed: [UInt64] = []
                for (id, subscriber) in state.subscribers {
                    if state.lastSeq - subscriber.cursor > subscriber.queueLimit {
                        overflowed.append(id)
                    } else if subscriber.batched, subscriber.cursor < state.batchSeq, let waiter = subscriber.waiter {
                        waiters.append(waiter)
                        subscriber.waiter = nil
                    }
                }
                for id in overflowed {
                    guard let subscriber = state.subscribers[id] else { continue }
                    if let waiter = state.closeIfOverflowed(subscriber, id: id).waiter { waiters.append(waiter) }
                }
                return waiters
            }
            guard let waiters else { return }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// The next frames for a subscription, waiting for at least one; nil once it has ended
    /// (unsubscribed, closed for falling behind, bus finished, or the task cancelled).
    func nextFrames(for id: UInt64) async -> [String]? {
        while true {
            switch take(for: id) {
            case .ended: return nil
            case .frames(let frames): return frames
            case .nothingYet: break
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        guard let subscriber = state.subscribers[id], !Task.isCancelled else { return true }
                        let available = subscriber.batched ? state.batchSeq : state.lastSeq
                        if subscriber.cursor < available || subscriber.finishing { return true }
                        subscriber.waiter = continuation
                        if !subscriber.batched { state.waitingPlain[id] = subscriber }
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                end(id)
            }
        }
    }

    /// Takes what is ready for a subscription without waiting, up to the newest message: its
    /// frames (possibly none), or nil once it has ended. For writers that poll on their own
    /// schedule, such as one pass per event loop.
    public func takeReady(_ subscription: FeedSubscription) -> [String]? {
        switch take(for: subscription.id, upToNewest: true) {
        case .ended: nil
        case .frames(let frames): frames
        case .nothingYet: []
        }
    }

    private enum Take {
        case frames([String])
        case nothingYet
        case ended
    }

    private func take(for id: UInt64, upToNewest: Bool = false) -> Take {
        let (take, waiter) = state.withLock { state -> (Take, CheckedContinuation<Void, Never>?) in
            guard let subscriber = state.subscribers[id] else { return (.ended, nil) }
            let overflow = state.closeIfOverflowed(subscriber, id: id)
            if overflow.overflowed { return (.ended, overflow.waiter) }
            return (takeFrames(subscriber, id: id, upToNewest: upToNewest, state: &state), nil)
        }
        waiter?.resume()
        return take
    }

    private func takeFrames(_ subscriber: Subscriber, id: UInt64, upToNewest: Bool, state: inout State) -> Take {
        // A batched subscriber takes up to the last tick, except when it keeps its own schedule,
        // and at shutdown, when it takes everything.
        let through = subscriber.batched && !subscriber.finishing && !upToNewest ? state.batchSeq : state.lastSeq
        guard subscriber.cursor < through else {
            guard subscriber.finishing else { return .nothingYet }
            _ = state.remove(id)
            return .ended
        }
        let key = FrameKey(filter: subscriber.filter, after: subscriber.cursor, through: through)
        subscriber.cursor = through
        let frames: [String]
        if subscriber.batched, let shared = state.frames[key] {
            frames = shared
        } else {
            var texts: [String] = []
            var seq = key.after + 1
            while seq <= through {
                if let message = state.ring[Int(seq % Int64(state.ring.count))], message.seq == seq, subscriber.filter.matches(message) {
                    texts.append(message.json)
                }
                seq += 1
            }
            frames = subscriber.batched ? Self.frames(joining: texts, maximumBytes: batchFrameBytes) : texts
            if subscriber.batched { state.frames[key] = frames }
        }
        if frames.isEmpty {
            return subscriber.finishing ? .ended : .nothingYet
        }
        return .frames(frames)
    }

    /// Joins messages one per line into frames of at most `maximumBytes` (a larger message goes
    /// alone in its own frame).
    public static func frames(joining messages: [String], maximumBytes: Int) -> [String] {
        var frames: [String] = []
        var frame = ""
        for message in messages {
            if !frame.isEmpty && frame.utf8.count + 1 + message.utf8.count > maximumBytes {
                frames.append(frame)
                frame = ""
            }
            if !frame.isEmpty { frame += "\n" }
            frame += message
        }
        if !frame.isEmpty { frames.append(frame) }
        return frames
    }

    /// Removes a subscriber, waking it if it waits.
    func end(_ id: UInt64) {
        let waiter = state.withLock { state in state.remove(id) }
        waiter?.resume()
    }

    /// Ends every subscription once it has taken what was published before (shutdown).
    public func finishAll() {
        let waiters = state.withLock { state in
            state.finished = true
            var waiters: [CheckedContinuation<Void, Never>] = []
            for subscriber in state.subscribers.values {
                subscriber.finishing = true
                subscriber.status.set(.finished)
                if let waiter = subscriber.waiter { waiters.append(waiter) }
                subscriber.waiter = nil
            }
            state.waitingPlain.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// What a subscriber wants: some topics, some accounts, some coins (empty means all).
public struct FeedFilter: Sendable, Hashable {
    public var topics: Set<FeedTopic>
    public var accounts: Set<AccountID>
    public var symbols: Set<Symbol>

    public init(topics: Set<FeedTopic> = [], accounts: Set<AccountID> = [], symbols: Set<Symbol> = []) {
        self.topics = topics
        self.accounts = accounts
        self.symbols = symbols
    }

    public static let everything = FeedFilter()

    /// Whether `message` passes. Messages about no account pass any account filter, and
    /// messages about no one coin (decisions, prices, alerts) pass any coin filter.
    public func matches(_ message: FeedMessage) -> Bool {
        (topics.isEmpty || topics.contains(message.topic))
            && (accounts.isEmpty || message.accountID.map(accounts.contains) ?? true)
            && (symbols.isEmpty || message.symbol.map(symbols.contains) ?? true)
    }
}

/// One subscriber's handle on the feed: takes frames to send, tells why it ended. Dropping the
/// handle unsubscribes.
public final class FeedSubscription: Sendable {
    /// How a subscription stands; shared with the bus, which sets it.
    final class Status: Sendable {
        enum Value: UInt8 { case open, overflowed, finished }
        private let value = Atomic<UInt8>(Value.open.rawValue)
        func set(_ new: Value) { value.store(new.rawValue, ordering: .relaxed) }
        var current: Value { Value(rawValue: value.load(ordering: .relaxed)) ?? .open }
    }

    let id: UInt64
    let status = Status()
    private let bus: EventBus
    /// The seq of the newest message when the subscription began: it receives only later ones.
    public let startSeq: Int64

    init(id: UInt64, startSeq: Int64, bus: EventBus) {
        self.id = id
        self.startSeq = startSeq
        self.bus = bus
    }

    deinit { bus.end(id) }

    /// The frames published since the last call that pass the filter, in seq order (one message
    /// each, or for a batched subscription one message per line), waiting until there is at least
    /// one; nil when the subscription has ended.
    public func next() async -> [String]? { await bus.nextFrames(for: id) }

    /// Ends the subscription; a pending `next()` returns nil.
    public func cancel() { bus.end(id) }

    /// Why the subscription ended, if the bus ended it for falling behind.
    public var closeReason: String? {
        status.current == .overflowed ? "The client fell too far behind the feed; reconnect and resume from your last seq." : nil
    }
}
