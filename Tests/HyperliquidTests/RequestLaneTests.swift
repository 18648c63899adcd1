import Hyperliquid
import Testing

/// The background lane of the weight budget: the trader tracker spends only what live trading
/// leaves, so a live order never waits behind it.
@Suite("request lanes")
struct RequestLaneTests {
    @Test("a background caller never spends the reserve and never borrows")
    func backgroundKeepsTheReserve() {
        var bucket = RequestWeightBucket(capacity: 100, refillPerMinute: 60, now: 0)
        var taken = 0
        while bucket.take(20, keeping: 40, now: 0) == nil { taken += 1 }
        #expect(taken == 3)
        #expect(bucket.available == 40)
        // 20 more needs 20 refilled at 1 a second.
        #expect(bucket.take(20, keeping: 40, now: 0) == 20)
        #expect(bucket.take(20, keeping: 40, now: 20) == nil)
    }

    @Test("a trading request after the background lane drained what it may goes at once")
    func tradingDoesNotWait() {
        var bucket = RequestWeightBucket(capacity: 100, refillPerMinute: 60, now: 0)
        while bucket.take(2, keeping: 30, now: 0) == nil {}
        for _ in 0..<30 { #expect(bucket.reserve(1, now: 0) == 0) }
    }

    @Test("live orders do not queue behind a tracker saturating the limiter")
    func liveOrdersGoFirst() async throws {
        // 600 a minute: 10 a second; the tracker keeps asking for 20 at a time with a reserve of 50.
        let limiter = RequestWeightLimiter(capacity: 100, refillPerMinute: 600)
        let tracker = Task {
            var acquired = 0
            while !Task.isCancelled {
                do { try await limiter.acquire(weight: 20, lane: .background(reserve: 50)) } catch { break }
                acquired += 1
            }
            return acquired
        }
        try await Task.sleep(for: .milliseconds(300))
        // The budget's own verdict, not the wall clock: a loaded machine may delay any task, but
        // only the limiter can make a live order wait for weight.
        var imposedWaits: [Duration] = []
        for _ in 0..<20 {
            imposedWaits.append(try await limiter.acquire(weight: 1, lane: .trading))
            try await Task.sleep(for: .milliseconds(20))
        }
        tracker.cancel()
        let trackerRequests = await tracker.value
        #expect(trackerRequests >= 2, "the tracker was served too")
        #expect(imposedWaits.allSatisfy { $0 == .zero }, "live orders waited \(imposedWaits)")
    }
}
