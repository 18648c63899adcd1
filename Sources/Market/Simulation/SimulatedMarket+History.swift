import ArenaCore
import Foundation

extension SimulatedMarket {
    /// Returns synthetic finished candles leading up to the start, so that a `MarketState` can
    /// show mature indicators (a 4-hour EMA50 needs eight days) from the first live update.
    ///
    /// Each coin walks backwards from its start price with its own volatility (correlated with the
    /// lead coin as the live walk is), so the newest candle closes at the start price; the
    /// candles end just before the interval that contains the start time. The history of each
    /// interval is drawn independently from the seed, so 3-minute and 4-hour histories need not
    /// agree with each other; they agree with nothing the live walk does later except its start.
    /// - Parameters:
    ///   - interval: The candle length.
    ///   - count: How many candles per coin, at most 10,000.
    /// - Returns: Each coin's candles, oldest first, prices on its grid.
    public func history(interval: CandleInterval, count: Int) -> [Symbol: [Candle]] {
        let count = min(max(count, 0), 10_000)
        var random = SeededRandom(seed: configuration.seed, stream: 100 + UInt64(interval.milliseconds))
        let intervalYears = Double(interval.milliseconds) / 1_000 / (365.0 * 86_400)
        let intervalDays = Double(interval.milliseconds) / 86_400_000
        let end = interval.start(of: configuration.start)
        var closes = configuration.symbols.map { $0.startPrice.doubleValue }
        var reversed = [[Candle]](repeating: [], count: configuration.symbols.count)
        for age in stride(from: 1, through: count, by: 1) {
            let start = end.adding(milliseconds: -Int64(age) * interval.milliseconds)
            let leadShock = random.nextGaussian()
            for (index, coin) in configuration.symbols.enumerated() {
                let deviation = coin.annualVolatility * configuration.volatilityScale * intervalYears.squareRoot()
                let correlation = index == 0 ? 1 : coin.correlationWithLead
                let shock = correlation * leadShock + (1 - correlation * correlation).squareRoot() * random.nextGaussian()
                let close = closes[index]
                let open = close * exp(-deviation * shock)
                let high = max(open, close) * exp(deviation * abs(random.nextGaussian()) / 2)
                let low = min(open, close) * exp(-deviation * abs(random.nextGaussian()) / 2)
                let volumeCoins = coin.dailyVolumeNotional * intervalDays * (0.5 + random.nextUnit()) / close
                func onGrid(_ value: Double) -> FixedDecimal {
                    let rounded = coin.instrument.roundPrice(FixedDecimal(approximating: value) ?? coin.startPrice)
                    return rounded.isPositive ? rounded : coin.instrument.priceStep(at: .one)
                }
                let candleOpen = onGrid(open), candleClose = onGrid(close)
                reversed[index].append(Candle(
                    start: start, open: candleOpen,
                    high: FixedDecimal.max(onGrid(high), FixedDecimal.max(candleOpen, candleClose)),
                    low: FixedDecimal.min(onGrid(low), FixedDecimal.min(candleOpen, candleClose)),
                    close: candleClose,
                    volume: coin.instrument.roundSize(FixedDecimal(approximating: volumeCoins) ?? .zero)))
                closes[index] = open
            }
        }
        var result: [Symbol: [Candle]] = [:]
        for (index, coin) in configuration.symbols.enumerated() { result[coin.symbol] = reversed[index].reversed() }
        return result
    }
}

extension MarketState {
    /// Seeds every coin's series of one interval with history, such as `SimulatedMarket.history`.
    /// - Parameters:
    ///   - history: Each coin's finished candles, oldest first.
    ///   - interval: Which of the state's two intervals they belong to.
    /// - Throws: `MarketError.invalidConfiguration` as `warmUp(symbol:interval:candles:)` does.
    public mutating func warmUp(history: [Symbol: [Candle]], interval: CandleInterval) throws {
        for symbol in history.keys.sorted() {
            try warmUp(symbol: symbol, interval: interval, candles: history[symbol] ?? [])
        }
    }
}
