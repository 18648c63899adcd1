import ArenaCore

/// The length of a candle, aligned to the clock (a 4-hour candle starts at 00:00, 04:00, ... UTC).
public struct CandleInterval: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in milliseconds.
    public let milliseconds: Int64
    /// A short name such as `3m` or `4h`.
    public let name: String

    /// Creates an interval.
    /// - Parameters:
    ///   - milliseconds: The length, positive.
    ///   - name: A short name for display.
    public init(milliseconds: Int64, name: String) {
        precondition(milliseconds > 0, "a candle interval must be positive")
        self.milliseconds = milliseconds
        self.name = name
    }

    /// Three minutes: the intraday series.
    public static let threeMinutes = CandleInterval(milliseconds: 180_000, name: "3m")
    /// Four hours: the longer-term context.
    public static let fourHours = CandleInterval(milliseconds: 14_400_000, name: "4h")

    /// Returns the start of the candle that contains `time`.
    public func start(of time: Timestamp) -> Timestamp {
        let remainder = time.milliseconds % milliseconds
        return Timestamp(milliseconds: time.milliseconds - (remainder < 0 ? remainder + milliseconds : remainder))
    }

    public var description: String { name }
    public static func < (a: CandleInterval, b: CandleInterval) -> Bool { a.milliseconds < b.milliseconds }
}

/// Open, high, low and close of the mid price over one interval, and the volume traded in it.
public struct Candle: Sendable, Hashable {
    /// The start of the interval.
    public var start: Timestamp
    /// The first mid in the interval.
    public var open: FixedDecimal
    /// The highest mid.
    public var high: FixedDecimal
    /// The lowest mid.
    public var low: FixedDecimal
    /// The last mid.
    public var close: FixedDecimal
    /// Coins traded in the interval.
    public var volume: FixedDecimal
    /// The last open interest seen in the interval, where the source has it.
    public var openInterest: FixedDecimal?

    /// Creates a candle.
    public init(start: Timestamp, open: FixedDecimal, high: FixedDecimal, low: FixedDecimal, close: FixedDecimal,
                volume: FixedDecimal, openInterest: FixedDecimal? = nil) {
        self.start = start
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.openInterest = openInterest
    }

    /// Folds one more price into the candle.
    mutating func add(price: FixedDecimal, volume traded: FixedDecimal, openInterest interest: FixedDecimal?) {
        high = FixedDecimal.max(high, price)
        low = FixedDecimal.min(low, price)
        close = price
        // Volumes from a file can be huge; saturating keeps a pathological sum from trapping.
        let (sum, overflow) = volume.raw.addingReportingOverflow(traded.raw)
        volume = FixedDecimal(raw: overflow ? Int64.max : sum)
        if let interest { openInterest = interest }
    }
}

/// The candles of one symbol at one interval, with the indicators after each, keeping a bounded
/// history of finished candles and the candle still forming.
public struct CandleSeries: Sendable, Hashable {
    /// The candle length.
    public let interval: CandleInterval
    /// The most finished candles kept.
    public let limit: Int
    /// Finished candles, oldest first: at most `limit`.
    public var closed: ArraySlice<Candle> { closedStorage.suffix(limit) }
    /// The indicator values after each finished candle, aligned with `closed`.
    public var closedIndicators: ArraySlice<IndicatorValues> { closedIndicatorStorage.suffix(limit) }
    /// `closed` and `closedIndicators` with up to `limit` older entries in front: trimmed only
    /// when they reach twice the limit, so that a finished candle costs a constant time instead
    /// of moving the whole history down by one (which a season did on every market step).
    private var closedStorage: [Candle] = []
    private var closedIndicatorStorage: [IndicatorValues] = []
    /// The candle of the current interval, if any price arrived in it.
    public private(set) var forming: Candle?
    /// The indicators' state after the last finished candle.
    private var engine = IndicatorEngine()

    /// Creates an empty series.
    public init(interval: CandleInterval, limit: Int = 200) {
        precondition(limit >= 1)
        self.interval = interval
        self.limit = limit
    }

    /// Adds a price observed at `time`.
    ///
    /// A time in a later interval finishes the forming candle; intervals with no price get no
    /// candle. A time earlier than the forming candle (which ordered sources never send) is
    /// folded into the forming candle rather than reopening a finished one.
    public mutating func add(time: Timestamp, price: FixedDecimal, volume: FixedDecimal, openInterest: FixedDecimal?) {
        let start = interval.start(of: time)
        if var current = forming, start <= current.start {
            current.add(price: price, volume: volume, openInterest: openInterest)
            forming = current
            return
        }
        if let finished = forming { finish(finished) }
        forming = Candle(start: start, open: price, high: price, low: price, close: price, volume: volume, openInterest: openInterest)
    }

    /// Adds a finished candle from history (a warm-up), before any live price.
    /// - Precondition: The candle is later than every candle already in the series.
    public mutating func addFinished(_ candle: Candle) {
        precondition(forming == nil && (closed.last.map { $0.start < candle.start } ?? true), "history must come in order, before live prices")
        finish(candle)
    }

    private mutating func finish(_ candle: Candle) {
        closedStorage.append(candle)
        closedIndicatorStorage.append(engine.update(candle))
        if closedStorage.count >= 2 * limit {
            closedStorage.removeFirst(closedStorage.count - limit)
            closedIndicatorStorage.removeFirst(closedIndicatorStorage.count - limit)
        }
    }

    /// Every candle kept, oldest first, with the forming one last.
    public var candles: [Candle] { forming.map { Array(closed) + [$0] } ?? Array(closed) }

    /// The indicator values after each candle of `candles`, the last counting the forming candle
    /// as if it closed now.
    public var indicators: [IndicatorValues] {
        guard let forming else { return Array(closedIndicators) }
        var provisional = engine
        return Array(closedIndicators) + [provisional.update(forming)]
    }

    /// Returns the last `count` candles and their indicator values, oldest first, the forming
    /// candle last; cheaper than `candles` and `indicators` when only the tail is needed.
    public func tail(_ count: Int) -> (candles: [Candle], indicators: [IndicatorValues]) {
        let fromClosed = forming == nil ? count : count - 1
        var candles = Array(closed.suffix(max(fromClosed, 0)))
        var values = Array(closedIndicators.suffix(max(fromClosed, 0)))
        if let forming, count > 0 {
            var provisional = engine
            candles.append(forming)
            values.append(provisional.update(forming))
        }
        return (candles, values)
    }

    // Equal when what a reader sees is equal, whatever older entries the storage still holds.
    public static func == (lhs: CandleSeries, rhs: CandleSeries) -> Bool {
        lhs.interval == rhs.interval && lhs.limit == rhs.limit && lhs.forming == rhs.forming && lhs.engine == rhs.engine
            && lhs.closed.elementsEqual(rhs.closed) && lhs.closedIndicators.elementsEqual(rhs.closedIndicators)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(interval)
        hasher.combine(limit)
        hasher.combine(forming)
        hasher.combine(engine)
        for candle in closed { hasher.combine(candle) }
        for values in closedIndicators { hasher.combine(values) }
    }
}
