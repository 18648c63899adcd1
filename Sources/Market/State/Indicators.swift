/// Incremental technical indicators over a series of candles, in `Double` because they are
/// statistics: nothing computed here flows back into prices or money.
///
/// Conventions, chosen to match the common trading libraries:
/// - EMA (and so MACD) starts from the first value and is defined from the first candle on, like
///   pandas' `ewm(span: n, adjust: false)`.
/// - RSI and ATR are Wilder's: the first average is the simple mean of the first `n` values, then
///   `average = (average × (n − 1) + value) / n`; they are undefined (nil) before that.
/// - An RSI with no losses in its window is 100, or 50 when there were no moves at all.
/// - The first true range is high minus low; later ones also reach to the previous close.
public enum Indicators {
    /// An exponential moving average with smoothing `2 / (period + 1)`.
    public struct ExponentialAverage: Sendable, Hashable {
        /// The smoothing factor.
        public let alpha: Double
        /// The current average, nil before the first value.
        public private(set) var value: Double?

        /// Creates an average over `period` values.
        public init(period: Int) {
            precondition(period >= 1)
            alpha = 2 / Double(period + 1)
        }

        /// Adds a value and returns the new average.
        @discardableResult
        public mutating func update(_ input: Double) -> Double {
            let next = value.map { $0 + alpha * (input - $0) } ?? input
            value = next
            return next
        }
    }

    /// Wilder's smoothed average: a simple mean of the first `period` values, then
    /// `(previous × (period − 1) + value) / period`.
    public struct WilderAverage: Sendable, Hashable {
        /// The number of values averaged.
        public let period: Int
        private var count = 0
        private var sum = 0.0
        /// The current average, nil until `period` values have been added.
        public private(set) var value: Double?

        /// Creates an average over `period` values.
        public init(period: Int) {
            precondition(period >= 1)
            self.period = period
        }

        /// Adds a value and returns the new average, or nil while still collecting the first
        /// `period` values.
        @discardableResult
        public mutating func update(_ input: Double) -> Double? {
            if let current = value {
                value = (current * Double(period - 1) + input) / Double(period)
            } else {
                count += 1
                sum += input
                if count == period { value = sum / Double(period) }
            }
            return value
        }
    }

    /// Wilder's relative strength index of closes.
    public struct RelativeStrength: Sendable, Hashable {
        private var previousClose: Double?
        private var gains: WilderAverage
        private var losses: WilderAverage
        /// The current index (0 to 100), nil until `period` changes have been seen.
        public private(set) var value: Double?

        /// Creates an index over `period` changes.
        public init(period: Int) {
            gains = WilderAverage(period: period)
            losses = WilderAverage(period: period)
        }

        /// Adds a close and returns the new index.
        @discardableResult
        public mutating func update(_ close: Double) -> Double? {
            defer { previousClose = close }
            guard let previous = previousClose else { return nil }
            let change = close - previous
            // Both averages must see every change, so neither update may be skipped.
            let averageGain = gains.update(max(change, 0))
            let averageLoss = losses.update(max(-change, 0))
            guard let gain = averageGain, let loss = averageLoss else { return nil }
            let index: Double
            if loss == 0 {
                index = gain == 0 ? 50 : 100
            } else {
                index = 100 - 100 / (1 + gain / loss)
            }
            value = index
            return index
        }
    }

    /// Wilder's average true range.
    public struct AverageTrueRange: Sendable, Hashable {
        private var previousClose: Double?
        private var average: WilderAverage
        /// The current average, nil until `period` candles have been seen.
        public var value: Double? { average.value }

        /// Creates an average over `period` true ranges.
        public init(period: Int) { average = WilderAverage(period: period) }

        /// Adds a candle and returns the new average.
        @discardableResult
        public mutating func update(high: Double, low: Double, close: Double) -> Double? {
            var range = high - low
            if let previous = previousClose { range = max(range, abs(high - previous), abs(low - previous)) }
            previousClose = close
            return average.update(range)
        }
    }

    /// Moving average convergence divergence: the fast EMA minus the slow EMA, with an EMA of
    /// that difference as the signal line.
    public struct ConvergenceDivergence: Sendable, Hashable {
        private var fast: ExponentialAverage
        private var slow: ExponentialAverage
        private var signalAverage: ExponentialAverage

        /// Creates the indicator; the classic periods are 12, 26 and 9.
        public init(fast: Int = 12, slow: Int = 26, signal: Int = 9) {
            self.fast = ExponentialAverage(period: fast)
            self.slow = ExponentialAverage(period: slow)
            signalAverage = ExponentialAverage(period: signal)
        }

        /// Adds a close and returns the MACD line, the signal line and their difference.
        @discardableResult
        public mutating func update(_ close: Double) -> (line: Double, signal: Double, histogram: Double) {
            let line = fast.update(close) - slow.update(close)
            let signal = signalAverage.update(line)
            return (line, signal, line - signal)
        }
    }

    /// Returns the EMA after each value.
    public static func exponentialMovingAverage(_ values: [Double], period: Int) -> [Double] {
        var average = ExponentialAverage(period: period)
        return values.map { average.update($0) }
    }

    /// Returns Wilder's RSI after each close (nil for the first `period` closes).
    public static func relativeStrengthIndex(_ closes: [Double], period: Int) -> [Double?] {
        var index = RelativeStrength(period: period)
        return closes.map { index.update($0) }
    }

    /// Returns Wilder's ATR after each candle (nil for the first `period - 1` candles).
    public static func averageTrueRange(high: [Double], low: [Double], close: [Double], period: Int) -> [Double?] {
        precondition(high.count == low.count && low.count == close.count)
        var average = AverageTrueRange(period: period)
        return close.indices.map { average.update(high: high[$0], low: low[$0], close: close[$0]) }
    }

    /// Returns the MACD line, signal and histogram after each close.
    public static func movingAverageConvergenceDivergence(_ closes: [Double], fast: Int = 12, slow: Int = 26,
                                                          signal: Int = 9) -> [(line: Double, signal: Double, histogram: Double)] {
        var indicator = ConvergenceDivergence(fast: fast, slow: slow, signal: signal)
        return closes.map { indicator.update($0) }
    }
}

/// The indicator values after one candle of a series.
public struct IndicatorValues: Sendable, Hashable {
    /// The 20-period EMA of closes.
    public var ema20: Double
    /// The 50-period EMA of closes.
    public var ema50: Double
    /// The MACD line (EMA12 − EMA26).
    public var macd: Double
    /// The MACD signal line (EMA9 of the MACD line).
    public var macdSignal: Double
    /// Wilder's 7-period RSI, nil before 7 changes.
    public var rsi7: Double?
    /// Wilder's 14-period RSI, nil before 14 changes.
    public var rsi14: Double?
    /// Wilder's 3-period ATR, nil before 3 candles.
    public var atr3: Double?
    /// Wilder's 14-period ATR, nil before 14 candles.
    public var atr14: Double?
}

/// Every indicator the arena shows, advanced one candle at a time.
struct IndicatorEngine: Sendable, Hashable {
    private var ema20 = Indicators.ExponentialAverage(period: 20)
    private var ema50 = Indicators.ExponentialAverage(period: 50)
    private var macd = Indicators.ConvergenceDivergence()
    private var rsi7 = Indicators.RelativeStrength(period: 7)
    private var rsi14 = Indicators.RelativeStrength(period: 14)
    private var atr3 = Indicators.AverageTrueRange(period: 3)
    private var atr14 = Indicators.AverageTrueRange(period: 14)

    /// Adds a finished candle and returns the values after it.
    mutating func update(_ candle: Candle) -> IndicatorValues {
        let close = candle.close.doubleValue, high = candle.high.doubleValue, low = candle.low.doubleValue
        let convergence = macd.update(close)
        return IndicatorValues(
            ema20: ema20.update(close), ema50: ema50.update(close),
            macd: convergence.line, macdSignal: convergence.signal,
            rsi7: rsi7.update(close), rsi14: rsi14.update(close),
            atr3: atr3.update(high: high, low: low, close: close),
            atr14: atr14.update(high: high, low: low, close: close))
    }
}
