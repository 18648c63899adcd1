import ArenaCore
import Foundation
import Storage
import Testing
@testable import Arena

extension EventBus {
    /// Publishes one message with the next seq, as `Recorder` does once the message is stored.
    @discardableResult
    func publish<Payload: Encodable>(_ topic: FeedTopic, accountID: AccountID? = nil, time: Timestamp, data: Payload) -> FeedMessage {
        let message = FeedMessage(seq: lastSeq + 1, topic: topic, accountID: accountID, time: time,
                                  dataJSON: (try? JSON.encode(data)) ?? "{}")
        publish([message])
        return message
    }
}

@Suite("Event bus")
struct EventBusTests {
    /// The seq and account of each message in a frame (one message per line).
    func messages(in frame: String) -> [(seq: Int64, account: Int64?)] {
        frame.split(separator: "\n").map { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            return ((object["seq"] as? NSNumber)?.int64Value ?? -1, (object["account_id"] as? NSNumber)?.int64Value)
        }
    }

    /// The seqs of every message a subscription yields until it ends.
    func drainSeqs(_ subscription: FeedSubscription) async -> [Int64] {
        var seqs: [Int64] = []
        while let frames = await subscription.next() { seqs += frames.flatMap { messages(in: $0).map(\.seq) } }
        return seqs
    }

    @Test("messages get increasing seqs and reach matching subscribers in order")
    func ordering() async {
        let bus = EventBus(lastSeq: 10)
        let subscription = bus.subscribe(filter: FeedFilter(topics: [.fill]), queueLimit: 100)
        #expect(subscription.startSeq == 10)
        let published = [
            bus.publish(.order, accountID: AccountID(1), time: Timestamp(milliseconds: 1), data: ["a": "1"]),
            bus.publish(.fill, accountID: AccountID(1), time: Timestamp(milliseconds: 2), data: ["b": "2"]),
            bus.publish(.fill, accountID: AccountID(2), time: Timestamp(milliseconds: 3), data: ["c": "3"]),
        ]
        bus.finishAll()
        #expect(await drainSeqs(subscription) == [12, 13])
        #expect(bus.lastSeq == 13)
        #expect(published.map(\.seq) == [11, 12, 13])
    }

    @Test("a message is one JSON object with type, seq, ts, account and data")
    func shape() {
        let bus = EventBus(lastSeq: 0)
        let message = bus.publish(.snapshot, accountID: AccountID(3), time: Timestamp(milliseconds: 99), data: ["equity": "1"])
        #expect(message.json == #"{"type":"snapshot","seq":1,"ts":99,"account_id":3,"data":{"equity":"1"}}"#)
    }

    @Test("account filters keep other accounts' messages out")
    func accountFilter() async {
        let bus = EventBus(lastSeq: 0)
        let subscription = bus.subscribe(filter: FeedFilter(accounts: [AccountID(2)]), queueLimit: 10)
        bus.publish(.fill, accountID: AccountID(1), time: Timestamp(milliseconds: 1), data: [String: String]())
        bus.publish(.fill, accountID: AccountID(2), time: Timestamp(milliseconds: 2), data: [String: String]())
        bus.publish(.price, time: Timestamp(milliseconds: 3), data: [String: String]())
        bus.finishAll()
        var accounts: [Int64?] = []
        while let frames = await subscription.next() { accounts += frames.flatMap { messages(in: $0).map(\.account) } }
        #expect(accounts == [2, nil])
    }

    @Test("what piled up while a plain subscriber was busy comes in one take, one frame per message, in order")
    func plainTake() async {
        let bus = EventBus(lastSeq: 0)
        let subscription = bus.subscribe(filter: .everything, queueLimit: 100)
        for index in 0..<30 { bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]()) }
        let frames = await subscription.next() ?? []
        #expect(frames.count == 30)
        #expect(frames.flatMap { messages(in: $0).map(\.seq) } == Array(1...30))
    }

    @Test("batched subscribers get a tick's messages one per line in frames under the size limit, the same frames for all")
    func batchedTake() async {
        let bus = EventBus(lastSeq: 0, batchInterval: .milliseconds(30), batchFrameBytes: 400)
        let first = bus.subscribe(filter: .everything, queueLimit: 1_000, batched: true)
        let second = bus.subscribe(filter: .everything, queueLimit: 1_000, batched: true)
        let onlyFills = bus.subscribe(filter: FeedFilter(topics: [.fill]), queueLimit: 1_000, batched: true)
        for index in 0..<40 { bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: ["n": String(index)]) }
        bus.publish(.fill, accountID: AccountID(4), time: Timestamp(milliseconds: 40), data: [String: String]())
        let framesOfFirst = await first.next() ?? []
        let framesOfSecond = await second.next() ?? []
        #expect(framesOfFirst == framesOfSecond)
        #expect(framesOfFirst.count > 1, "41 messages of about 60 bytes do not fit one 400-byte frame")
        #expect(framesOfFirst.allSatisfy { $0.utf8.count <= 400 })
        #expect(framesOfFirst.flatMap { messages(in: $0).map(\.seq) } == Array(1...41))
        #expect(await onlyFills.next()?.flatMap { messages(in: $0).map(\.seq) } == [41])
    }

    @Test("a batched subscriber is not woken before the tick, then gets everything since its last take")
    func batchedWaitsForTick() async throws {
        let bus = EventBus(lastSeq: 0, batchInterval: .milliseconds(200))
        let subscription = bus.subscribe(filter: .everything, queueLimit: 1_000, batched: true)
        let clock = ContinuousClock()
        let start = clock.now
        let waiting = Task { await subscription.next() }
        for index in 0..<3 { bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]()) }
        let frames = await waiting.value ?? []
        #expect(clock.now - start >= .milliseconds(150))
        #expect(frames.flatMap { messages(in: $0).map(\.seq) } == [1, 2, 3])
    }

    @Test("a resuming subscriber that is ahead of the bus gets nothing it already has")
    func resumeAhead() async {
        let bus = EventBus(lastSeq: 5)
        let subscription = bus.subscribe(filter: .everything, queueLimit: 100, after: 7)
        for index in 0..<4 { bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]()) }
        bus.finishAll()
        #expect(await drainSeqs(subscription) == [8, 9])
    }

    @Test("a waiting subscriber wakes for a message it wants and sleeps through ones it does not")
    func wakesOnMatch() async throws {
        let bus = EventBus(lastSeq: 0)
        let subscription = bus.subscribe(filter: FeedFilter(topics: [.fill]), queueLimit: 100)
        let waiting = Task { await subscription.next() }
        try await Task.sleep(for: .milliseconds(50))
        for index in 0..<5 { bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]()) }
        try await Task.sleep(for: .milliseconds(50))
        bus.publish(.fill, accountID: AccountID(1), time: Timestamp(milliseconds: 9), data: [String: String]())
        #expect(await waiting.value?.flatMap { messages(in: $0).map(\.seq) } == [6])
    }

    @Test("a subscriber that falls behind its queue is closed with a reason when it next takes, and the bus keeps no memory of it")
    func slowSubscriber() async {
        let bus = EventBus(lastSeq: 0, retainedMessages: 64)
        let subscription = bus.subscribe(filter: .everything, queueLimit: 5)
        for index in 0..<20 {
            bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]())
        }
        #expect(await subscription.next() == nil)
        #expect(subscription.closeReason != nil)
        #expect(bus.subscriberCount == 0)
    }

    @Test("a subscriber stuck in a write is closed by the next tick, without taking anything")
    func stuckSubscriber() async throws {
        let bus = EventBus(lastSeq: 0, batchInterval: .milliseconds(10))
        let subscription = bus.subscribe(filter: .everything, queueLimit: 5)
        for index in 0..<5 { bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]()) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(subscription.closeReason == nil, "five behind is within the limit")
        bus.publish(.price, time: Timestamp(milliseconds: 7), data: [String: String]())
        let deadline = ContinuousClock.now + .seconds(5)
        while bus.subscriberCount > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(subscription.closeReason != nil)
        #expect(bus.subscriberCount == 0)
    }

    @Test("a queue limit above what the bus retains is held to the ring's size")
    func queueLimitClamped() async {
        let bus = EventBus(lastSeq: 0, retainedMessages: 8)
        let subscription = bus.subscribe(filter: .everything, queueLimit: 1_000)
        for index in 0..<8 { bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]()) }
        #expect(subscription.closeReason == nil)
        #expect(await subscription.next()?.count == 8)
        for index in 0..<9 { bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]()) }
        #expect(await subscription.next() == nil)
        #expect(subscription.closeReason != nil)
    }

    @Test("cancelling the waiting task or dropping the handle unsubscribes")
    func cancellation() async throws {
        let bus = EventBus(lastSeq: 0)
        let subscription = bus.subscribe(filter: .everything, queueLimit: 10)
        let waiting = Task { await subscription.next() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value == nil)
        #expect(bus.subscriberCount == 0)
        do { _ = bus.subscribe(filter: .everything, queueLimit: 10) }
        #expect(bus.subscriberCount == 0)
    }

    @Test("after shutdown new subscriptions end at once")
    func afterShutdown() async {
        let bus = EventBus(lastSeq: 0)
        bus.finishAll()
        let subscription = bus.subscribe(filter: .everything, queueLimit: 10)
        bus.publish(.price, time: Timestamp(milliseconds: 1), data: [String: String]())
        #expect(await subscription.next() == nil)
        #expect(bus.lastSeq == 1)
    }
}
