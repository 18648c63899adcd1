import Synchronization

/// The venue's request weights (its "Rate limits and user limits" page): the public API allows
/// 1200 weight a minute per IP address, for `/info` and `/exchange` together.
public enum RequestWeight {
    /// The weight budget per minute and IP address.
    public static let perMinute = 1_200

    /// The base weight of an `/info` request of `type`: 2 for the light ones, 20 for the rest.
    public static func info(_ type: String) -> Int {
        switch type {
        case "l2Book", "allMids", "clearinghouseState", "orderStatus", "spotClearinghouseState", "exchangeStatus": 2
        case "userRole": 60
        default: 20
        }
    }

    /// The extra weight an `/info` answer of `type` with `items` entries costs: one unit per 20
    /// items for fills and funding, per 60 for candles.
    public static func infoItems(_ type: String, items: Int) -> Int {
        switch type {
        case "userFills", "userFillsByTime", "userFunding", "recentTrades", "historicalOrders", "fundingHistory": items / 20
        case "candleSnapshot": items / 60
        default: 0
        }
    }

    /// The weight of an `/exchange` action batching `batchLength` orders or cancels: 1 + ⌊n / 40⌋.
    public static func exchange(batchLength: Int) -> Int { 1 + max(0, batchLength) / 40 }
}

/// Who a request serves, which decides whether it may wait behind others.
public enum RequestLane: Sendable, Hashable {
    /// Orders, cancels and the reads trading depends on: first, always.
    case trading
    /// Reads that can wait (the trader tracker): served only while `reserve` weight stays free.
    case background(reserve: Int)
}

/// A token bucket that lends: a caller takes its weight at once, even into debt, and waits until
/// the debt would have been refilled. Callers are thus served in arrival order, and each computes
/// its wait once. A pure value: time is passed in, so tests need no clock.
public struct RequestWeightBucket: Sendable, Equatable {
    /// The most weight the bucket holds.
    public let capacity: Double
    /// Weight refilled per second.
    public let refillPerSecond: Double
    /// Weight available now; negative while callers wait.
    public private(set) var available: Double
    /// When `available` was last brought up to date, in seconds on the caller's clock.
    public private(set) var updatedAt: Double
    /// No caller proceeds before this time (set by a 429).
    public private(set) var blockedUntil: Double

    /// Creates a full bucket.
    public init(capacity: Int = RequestWeight.perMinute, refillPerMinute: Int = RequestWeight.perMinute, now: Double) {
        self.capacity = Double(max(1, capacity))
        refillPerSecond = Double(max(1, refillPerMinute)) / 60
        available = Double(max(1, capacity))
        updatedAt = now
        blockedUntil = now
    }

    private mutating func refill(now: Double) {
        guard now > updatedAt else { return }
        available = min(capacity, available + (now - updatedAt) * refillPerSecond)
        updatedAt = now
    }

    /// Takes `weight` and returns how many seconds the caller must wait before sending.
    public mutating func reserve(_ weight: Int, now: Double) -> Double {
        refill(now: now)
        available -= Double(max(0, weight))
        let debtWait = available < 0 ? -available / refillPerSecond : 0
        return max(debtWait, blockedUntil - now, 0)
    }

    /// Takes `weight` only if `reserve` weight is still left afterwards, and never into debt:
    /// the lane of background readers (the trader tracker), which must leave live orders their
    /// share. Returns nil when taken, or how many seconds to wait before asking again.
    public mutating func take(_ weight: Int, keeping reserve: Double, now: Double) -> Double? {
        refill(now: now)
        if blockedUntil > now { return blockedUntil - now }
        let needed = Double(max(0, weight)) + max(0, reserve)
        guard available >= needed else {
            // When the bucket can never hold that much, wait for it full, then take it.
            if needed > capacity, available >= capacity {
                available -= Double(max(0, weight))
                return nil
            }
            return (min(needed, capacity) - available) / refillPerSecond
        }
        available -= Double(max(0, weight))
        return nil
    }

    /// Takes `weight` without waiting, for costs known only from the answer.
    public mutating func charge(_ weight: Int, now: Double) {
        refill(now: now)
        available -= Double(max(0, weight))
    }

    /// Records a 429: the venue thinks we are over, so empty the bucket and hold everyone back
    /// for `cooldown` seconds.
    public mutating func penalize(cooldown: Double, now: Double) {
        refill(now: now)
        available = min(available, 0)
        blockedUntil = max(blockedUntil, now + cooldown)
    }
}

/// The bucket shared by every client of one IP address: pass the same instance to the info and
/// exchange clients of all accounts.
public final class RequestWeightLimiter: Sendable {
    private let bucket: Mutex<RequestWeightBucket>
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    /// Creates a limiter holding `capacity` weight, refilled at `refillPerMinute`.
    public init(capacity: Int = RequestWeight.perMinute, refillPerMinute: Int = RequestWeight.perMinute) {
        origin = clock.now
        bucket = Mutex(RequestWeightBucket(capacity: capacity, refillPerMinute: refillPerMinute, now: 0))
    }

    private var now: Double {
        let elapsed = clock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Waits until `weight` may be spent, then returns how long the budget made the caller wait
    /// (zero when it went at once).
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    @discardableResult
    public func acquire(weight: Int) async throws -> Duration {
        let wait = bucket.withLock { $0.reserve(weight, now: now) }
        guard wait > 0 else { return .zero }
        let imposed = Duration.milliseconds(Int64((wait * 1000).rounded(.up)))
        try await Task.sleep(for: imposed)
        return imposed
    }

    /// Waits until `weight` may be spent in `lane`, then returns how long the budget made the
    /// caller wait. `.trading` takes its weight at once (into debt if need be) and waits only for
    /// that debt; `.background` never borrows and never spends the last `reserve` weight, so
    /// trading requests never wait behind it.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    @discardableResult
    public func acquire(weight: Int, lane: RequestLane) async throws -> Duration {
        switch lane {
        case .trading:
            return try await acquire(weight: weight)
        case .background(let reserve):
            var imposed = Duration.zero
            while true {
                try Task.checkCancellation()
                guard let wait = bucket.withLock({ $0.take(weight, keeping: Double(reserve), now: now) }) else { return imposed }
                let pause = Duration.milliseconds(Int64((max(wait, 0.001) * 1000).rounded(.up)))
                try await Task.sleep(for: pause)
                imposed += pause
            }
        }
    }

    /// Spends `weight` learnt from an answer, without waiting.
    public func charge(weight: Int) {
        guard weight > 0 else { return }
        bucket.withLock { $0.charge(weight, now: now) }
    }

    /// Records a 429 so that every caller backs off for `cooldown`.
    public func penalize(cooldown: Duration) {
        let seconds = Double(cooldown.components.seconds) + Double(cooldown.components.attoseconds) / 1e18
        bucket.withLock { $0.penalize(cooldown: seconds, now: now) }
    }

    /// The weight available now (negative while callers wait), for tests and metrics.
    public var available: Double {
        bucket.withLock { bucket in
            var copy = bucket
            copy.charge(0, now: now)
            return copy.available
        }
    }
}
