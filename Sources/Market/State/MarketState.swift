import ArenaCore

/// The market as the arena's decision makers see it: the latest snapshot plus candles and
/// indicators per symbol, updated once per market update and shared by every account.
///
/// Feeding a snapshot is cheap (a few comparisons per symbol and interval; indicators advance
/// only when a candle finishes), and so is reading `indicators(for:)`, which steps a copy of the
/// indicators over the forming candle. Call it once per update and share the result.
public struct MarketState: Sendable {
    /// The interval of the intraday series (3 minutes by default).
    public let intradayInterval: CandleInterval
    /// The interval of the longer-term context (4 hours by default).
    public let longTermInterval: CandleInterval
    /// The most finished candles kept per symbol and interval.
    public let historyLimit: Int
    /// How many recent values the context's series carry.
    public let seriesLength: Int
    /// The last snapshot fed.
    public private(set) var latest: MarketSnapshot?
    /// Each symbol's series: intraday first, longer-term second.
    private var series: [Symbol: [CandleSeries]] = [:]

    /// Creates an empty state.
    /// - Parameters:
    ///   - intradayInterval: The short candles (3 minutes).
    ///   - longTermInterval: The long candles (4 hours).
    ///   - historyLimit: The most finished candles kept per series.
    ///   - seriesLength: How many recent values a context's series carry.
    public init(intradayInterval: CandleInterval = .threeMinutes, longTermInterval: CandleInterval = .fourHours,
                historyLimit: Int = 200, seriesLength: Int = 10) {
        precondition(historyLimit >= 1 && seriesLength >= 1)
        self.intradayInterval = intradayInterval
        self.longTermInterval = longTermInterval
        self.historyLimit = historyLimit
        self.seriesLength = seriesLength
    }

    /// The symbols seen so far, sorted.
    public var symbols: [Symbol] { series.keys.sorted() }

    /// Folds a snapshot into the candles of every symbol it quotes.
    public mutating func ingest(_ snapshot: MarketSnapshot) {
        latest = snapshot
        for (symbol, quote) in snapshot.quotes {
            var symbolSeries = series.removeValue(forKey: symbol)
                ?? [CandleSeries(interval: intradayInterval, limit: historyLimit), CandleSeries(interval: longTermInterval, limit: historyLimit)]
            for index in symbolSeries.indices {
                symbolSeries[index].add(time: snapshot.time, price: quote.mid, volume: quote.volume, openInterest: quote.openInterest)
            }
            series[symbol] = symbolSeries
        }
    }

    /// Seeds a symbol's series with finished candles from history, so that indicators are
    /// meaningful from the first live update. Call it before feeding any snapshot.
    /// - Parameters:
    ///   - symbol: The coin.
    ///   - interval: Which of the two intervals the candles belong to.
    ///   - candles: Finished candles, oldest first, aligned to `interval`.
    /// - Throws: `MarketError.invalidConfiguration` for an unknown interval, candles out of order
    ///   or misaligned, or a series that already has live prices.
    public mutating func warmUp(symbol: Symbol, interval: CandleInterval, candles: [Candle]) throws {
        guard interval == intradayInterval || interval == longTermInterval else {
            throw MarketError.invalidConfiguration("no \(interval) series to warm up")
        }
        var symbolSeries = series[symbol]
            ?? [CandleSeries(interval: intradayInterval, limit: historyLimit), CandleSeries(interval: longTermInterval, limit: historyLimit)]
        let index = interval == intradayInterval ? 0 : 1
        var target = symbolSeries[index]
        guard target.forming == nil else { throw MarketError.invalidConfiguration("\(symbol) \(interval) already has live prices") }
        var previous = target.closed.last?.start
        for candle in candles {
            guard interval.start(of: candle.start) == candle.start, previous.map({ $0 < candle.start }) ?? true,
                  candle.low <= candle.high, candle.low.isPositive else {
                throw MarketError.invalidConfiguration("warm-up candles for \(symbol) \(interval) must be valid, aligned and in order")
            }
            target.addFinished(candle)
            previous = candle.start
        }
        symbolSeries[index] = target
        series[symbol] = symbolSeries
    }

    /// Returns a symbol's candle series at one of the two intervals.
    public func series(for symbol: Symbol, interval: CandleInterval) -> CandleSeries? {
        guard let symbolSeries = series[symbol] else { return nil }
        if interval == intradayInterval { return symbolSeries[0] }
        if interval == longTermInterval { return symbolSeries[1] }
        return nil
    }

    /// Returns what a decision maker should know about a symbol now, or nil if the latest
    /// snapshot does not quote it.
    public func indicators(for symbol: Symbol) -> SymbolIndicators? {
        guard let snapshot = latest, let quote = snapshot[symbol], let symbolSeries = series[symbol] else { return nil }
        let intraday = SeriesContext(symbolSeries[0], length: seriesLength)
        var openInterests = symbolSeries[0].closed.compactMap(\.openInterest)
        if let forming = symbolSeries[0].forming?.openInterest { openInterests.append(forming) }
        return SymbolIndicators(
            symbol: symbol, time: snapshot.time, mid: quote.mid, mark: quote.mark, fundingRate: quote.fundingRate,
            openInterest: quote.openInterest, averageOpenInterest: SeriesContext.mean(openInterests),
            intraday: intraday, longTerm: SeriesContext(symbolSeries[1], length: seriesLength))
    }

    /// Returns `indicators(for:)` for every symbol of the latest snapshot, sorted by symbol.
    public func allIndicators() -> [SymbolIndicators] {
        (latest?.symbols ?? []).compactMap { indicators(for: $0) }
    }
}

/// What a decision maker should know about one symbol at one moment: prices, funding, open
/// interest, and the recent intraday and longer-term candles with their indicators.
public struct SymbolIndicators: Sendable, Hashable {
    /// The coin.
    public var symbol: Symbol
    /// The time of the snapshot this describes.
    public var time: Timestamp
    /// The book's mid price.
    public var mid: FixedDecimal
    /// The mark price.
    public var mark: FixedDecimal
    /// The hourly funding rate in force.
    public var fundingRate: FixedDecimal
    /// Open interest in coins, where the source has it.
    public var openInterest: FixedDecimal?
    /// The mean open interest over the intraday candles kept, where the source has it.
    public var averageOpenInterest: FixedDecimal?
    /// The intraday (3-minute) series.
    public var intraday: SeriesContext
    /// The longer-term (4-hour) series.
    public var longTerm: SeriesContext
}

/// The recent candles of one series and the indicators after each, oldest first; the last entry
/// is the forming candle, its indicators computed as if it closed now.
public struct SeriesContext: Sendable, Hashable {
    /// The candle length.
    public var interval: CandleInterval
    /// How many candles the series holds in all (finished and forming), so a reader can tell a
    /// warming-up series from a mature one.
    public var candleCount: Int
    /// The most recent candles, at most the state's series length.
    public var candles: [Candle]
    /// The indicator values after each of `candles`.
    public var indicators: [IndicatorValues]
    /// The volume of the newest candle (the forming one, if any).
    public var currentVolume: FixedDecimal
    /// The mean volume of the finished candles kept, nil before the first finishes.
    public var averageVolume: FixedDecimal?

    init(_ series: CandleSeries, length: Int) {
        interval = series.interval
        candleCount = series.closed.count + (series.forming == nil ? 0 : 1)
        (candles, indicators) = series.tail(length)
        currentVolume = candles.last?.volume ?? .zero
        averageVolume = Self.mean(series.closed.map(\.volume))
    }

    /// The values after the newest candle.
    public var latest: IndicatorValues? { indicators.last }
    /// The closing mids, oldest first.
    public var closes: [FixedDecimal] { candles.map(\.close) }
    /// The 20-period EMA after each candle.
    public var ema20: [Double] { indicators.map(\.ema20) }
    /// The 50-period EMA after each candle.
    public var ema50: [Double] { indicators.map(\.ema50) }
    /// The MACD line after each candle.
    public var macd: [Double] { indicators.map(\.macd) }
    /// The 7-period RSI after each candle.
    public var rsi7: [Double?] { indicators.map(\.rsi7) }
    /// The 14-period RSI after each candle.
    public var rsi14: [Double?] { indicators.map(\.rsi14) }

    /// The exact mean, rounded to eight decimals; nil for no values.
    static func mean(_ values: [FixedDecimal]) -> FixedDecimal? {
        guard !values.isEmpty else { return nil }
        let sum = values.reduce(Int128(0)) { $0 + Int128($1.raw) }
        return FixedDecimal(raw: Int64(sum / Int128(values.count)))
    }
}
