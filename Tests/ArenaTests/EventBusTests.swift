import ArenaCore
import Testing
@testable import Arena

@Suite("Event bus")
struct EventBusTests {
    @Test("messages get increasing seqs and reach matching subscribers in order")
    func ordering() async {
        let bus = EventBus(lastSeq: 10)
        let (_, stream) = bus.subscribe(filter: FeedFilter(topics: [.fill]), queueLimit: 100)
        bus.publish(.order, accountID: AccountID(1), time: Timestamp(milliseconds: 1), data: ["a": "1"])
        bus.publish(.fill, accountID: AccountID(1), time: Timestamp(milliseconds: 2), data: ["b": "2"])
        bus.publish(.fill, accountID: AccountID(2), time: Timestamp(milliseconds: 3), data: ["c": "3"])
        bus.finishAll()
        var seqs: [Int64] = []
        for await message in stream { seqs.append(message.seq) }
        #expect(seqs == [12, 13])
        #expect(bus.lastSeq == 13)
        #expect(bus.drainUnpersisted().map(\.seq) == [11, 12, 13])
        #expect(bus.drainUnpersisted().isEmpty)
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
        let (_, stream) = bus.subscribe(filter: FeedFilter(accounts: [AccountID(2)]), queueLimit: 10)
        bus.publish(.fill, accountID: AccountID(1), time: Timestamp(milliseconds: 1), data: [String: String]())
        bus.publish(.fill, accountID: AccountID(2), time: Timestamp(milliseconds: 2), data: [String: String]())
        bus.publish(.price, time: Timestamp(milliseconds: 3), data: [String: String]())
        bus.finishAll()
        var accounts: [Int64?] = []
        for await message in stream { accounts.append(message.accountID?.rawValue) }
        #expect(accounts == [2, nil])
    }

    @Test("a subscriber that falls behind its queue is closed with a reason, and the bus keeps no memory of it")
    func slowSubscriber() async {
        let bus = EventBus(lastSeq: 0)
        let (subscription, stream) = bus.subscribe(filter: .everything, queueLimit: 5)
        for index in 0..<20 {
            bus.publish(.price, time: Timestamp(milliseconds: Int64(index)), data: [String: String]())
        }
        #expect(subscription.closeReason != nil)
        #expect(bus.subscriberCount == 0)
        var received = 0
        for await _ in stream { received += 1 }
        #expect(received == 5)
    }
}
