import Testing
@testable import Hyperliquid

@Suite("Request weights and the shared token bucket")
struct RequestWeightTests {
    @Test("info weights follow the venue's table", arguments: [
        ("l2Book", 2), ("allMids", 2), ("clearinghouseState", 2), ("orderStatus", 2), ("meta", 20), ("metaAndAssetCtxs", 20),
        ("openOrders", 20), ("frontendOpenOrders", 20), ("userFills", 20), ("candleSnapshot", 20), ("userRole", 60),
    ])
    func infoWeights(type: String, weight: Int) {
        #expect(RequestWeight.info(type) == weight)
    }

    @Test("answers with many items cost extra, and batches of actions cost one per forty")
    func itemAndBatchWeights() {
        #expect(RequestWeight.infoItems("userFills", items: 2_000) == 100)
        #expect(RequestWeight.infoItems("candleSnapshot", items: 5_000) == 83)
        #expect(RequestWeight.infoItems("l2Book", items: 100) == 0)
        #expect(RequestWeight.exchange(batchLength: 1) == 1)
        #expect(RequestWeight.exchange(batchLength: 79) == 2)
        #expect(RequestWeight.exchange(batchLength: 80) == 3)
    }

    @Test("a full bucket lets 1200 weight through at once, then makes callers wait for the refill in turn")
    func bucketLends() {
        var bucket = RequestWeightBucket(now: 0)
        #expect(bucket.reserve(1_200, now: 0) == 0)
        // 20 weight a second comes back: the next 20 wait one second, the 20 after them two.
        #expect(bucket.reserve(20, now: 0) == 1)
        #expect(bucket.reserve(20, now: 0) == 2)
        // Ten seconds later 200 came back, of which 40 paid the debt.
        #expect(bucket.reserve(160, now: 10) == 0)
        #expect(bucket.reserve(2, now: 10) > 0)
    }

    @Test("the bucket never holds more than its capacity")
    func bucketCaps() {
        var bucket = RequestWeightBucket(capacity: 100, refillPerMinute: 600, now: 0)
        #expect(bucket.reserve(100, now: 0) == 0)
        #expect(bucket.reserve(100, now: 3_600) == 0)
        #expect(bucket.reserve(10, now: 3_600) == 1)
    }

    @Test("a 429 empties the bucket and holds every caller back for the cooldown")
    func penalty() {
        var bucket = RequestWeightBucket(now: 0)
        bucket.penalize(cooldown: 5, now: 0)
        #expect(bucket.reserve(2, now: 1) >= 4)
        #expect(bucket.reserve(2, now: 6) == 0)
    }

    @Test("answers' item weights are charged without waiting, and later callers pay for them")
    func charging() async throws {
        let limiter = RequestWeightLimiter(capacity: 40, refillPerMinute: 60_000)
        try await limiter.acquire(weight: 40)
        limiter.charge(weight: 10)
        #expect(limiter.available < 0)
        let clock = ContinuousClock()
        let start = clock.now
        try await limiter.acquire(weight: 10)
        // 1000 weight a second refills the 20 owed in about 20 ms.
        #expect(clock.now - start >= .milliseconds(10))
    }
}
