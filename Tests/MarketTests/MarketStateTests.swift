import ArenaCore
import ArenaTestSupportCore
import Testing
@testable import Market

/// A snapshot quoting one symbol at `price` with a one-level book around it.
func snapshot(_ name: String, at milliseconds: Int64, price: FixedDecimal, volume: FixedDecimal = 1,
              openInterest: FixedDecimal? = nil) -> MarketSnapshot {
    let book = TestMarkets.book(mid: price, size: 1, levels: 1)
    return TestMarkets.snapshot(at: milliseconds, TestMarkets.quote(symbol(name), mid: price, book: book, openInterest: openInterest, volume: volume))
}

@Suite("Candles and market state")
struct MarketStateTests {
    @Test("candle intervals align to the clock")
    func alignment() {
        #expect(CandleInterval.threeMinutes.start(of: Timestamp(milliseconds: 179_999)).milliseconds == 0)
        #expect(CandleInterval.threeMinutes.start(of: Timestamp(milliseconds: 180_000)).milliseconds == 180_000)
        // 2026-01-01T05:59:59Z falls in the 04:00 candle.
        let time = ISO8601.parse("2026-01-01T05:59:59Z") ?? Timestamp(milliseconds: 0)
        #expect(CandleInterval.fourHours.start(of: time) == ISO8601.parse("2026-01-01T04:00:00Z"))
        #expect(CandleInterval.threeMinutes.start(of: Timestamp(milliseconds: -1)).milliseconds == -180_000)
    }

    @Test("candles carry the open, high, low, close and summed volume of their interval")
    func ohlcv() {
        var series = CandleSeries(interval: .threeMinutes)
        let ticks: [(Int64, Int, String)] = [
            (0, 100, "1"), (60_000, 105, "2"), (120_000, 98, "0.5"), (179_999, 101, "1.5"),
            (180_000, 102, "3"), (200_000, 99, "1"),
            (600_000, 110, "4"),  // 09:00 to 10:00 of the hour: the 6- and 9-minute candles have no price
        ]
        for (time, price, volume) in ticks {
            series.add(time: Timestamp(milliseconds: time), price: FixedDecimal(price), volume: decimal(volume), openInterest: nil)
        }
        #expect(series.closed == [
            Candle(start: Timestamp(milliseconds: 0), open: 100, high: 105, low: 98, close: 101, volume: 5),
            Candle(start: Timestamp(milliseconds: 180_000), open: 102, high: 102, low: 99, close: 99, volume: 4),
        ])
        #expect(series.forming == Candle(start: Timestamp(milliseconds: 540_000), open: 110, high: 110, low: 110, close: 110, volume: 4))
        #expect(series.candles.count == 3)
        #expect(series.indicators.count == 3)
        #expect(series.indicators.map(\.ema20) == Indicators.exponentialMovingAverage([101, 99, 110], period: 20))
    }

    @Test("the history is bounded and the indicators stay aligned with the kept candles")
    func bounded() {
        var series = CandleSeries(interval: .threeMinutes, limit: 5)
        var closes: [Double] = []
        for index in 0..<40 {
            let price = 100 + (index * 7) % 11
            closes.append(Double(price))
            series.add(time: Timestamp(milliseconds: Int64(index) * 180_000), price: FixedDecimal(price), volume: 1, openInterest: nil)
        }
        #expect(series.closed.count == 5)
        #expect(series.closedIndicators.count == 5)
        #expect(series.closed.map(\.close) == closes[34..<39].map { FixedDecimal(Int($0)) })
        // Indicators run over the whole history, not only what is kept.
        let expected = Indicators.relativeStrengthIndex(closes, period: 7)
        #expect(series.indicators.map(\.rsi7) == Array(expected.suffix(6)))
        let tail = series.tail(3)
        #expect(tail.candles.map(\.close) == [FixedDecimal(Int(closes[37])), FixedDecimal(Int(closes[38])), FixedDecimal(Int(closes[39]))])
        #expect(tail.indicators == Array(series.indicators.suffix(3)))
    }

    @Test("the context of a symbol shows its latest prices and the last ten intraday values")
    func context() throws {
        var state = MarketState()
        for minute in 0..<90 {
            let price = FixedDecimal(1_000 + minute % 13)
            state.ingest(snapshot("ETH", at: Int64(minute) * 60_000, price: price, volume: 2,
                                  openInterest: FixedDecimal(500 + minute)))
        }
        let context = try #require(state.indicators(for: symbol("ETH")))
        #expect(context.mid == FixedDecimal(1_000 + 89 % 13))
        #expect(context.time.milliseconds == 89 * 60_000)
        #expect(context.openInterest == 589)
        #expect(context.intraday.candleCount == 30)
        #expect(context.intraday.closes.count == 10)
        #expect(context.intraday.closes.last == context.mid)
        #expect(context.intraday.candles.map(\.volume).allSatisfy { $0 == 6 })
        let closes = (0..<30).map { Double(1_000 + ($0 * 3 + 2) % 13) }
        let ema = Indicators.exponentialMovingAverage(closes, period: 20)
        #expect(context.intraday.ema20.enumerated().allSatisfy { abs($0.element - ema[20 + $0.offset]) < 1e-9 })
        #expect(context.intraday.rsi14.allSatisfy { $0 != nil })
        #expect(context.longTerm.candleCount == 1)
        #expect(context.longTerm.currentVolume == 180)
        #expect(context.longTerm.averageVolume == nil)
        #expect(context.averageOpenInterest.map { $0 > 500 && $0 < 589 } == true)
        #expect(state.indicators(for: symbol("BTC")) == nil)
        #expect(state.allIndicators().map(\.symbol) == [symbol("ETH")])
    }

    @Test("warm-up candles make the longer-term indicators meaningful at once")
    func warmUp() throws {
        var state = MarketState()
        let fourHours = CandleInterval.fourHours.milliseconds
        let history = (0..<60).map { index in
            let price = FixedDecimal(3_000 + index * 5)
            return Candle(start: Timestamp(milliseconds: Int64(index) * fourHours), open: price, high: price + 10,
                          low: price - 10, close: price, volume: 100)
        }
        try state.warmUp(symbol: symbol("ETH"), interval: .fourHours, candles: history)
        state.ingest(snapshot("ETH", at: 60 * fourHours, price: 3_400))
        let context = try #require(state.indicators(for: symbol("ETH")))
        #expect(context.longTerm.candleCount == 61)
        #expect(context.longTerm.averageVolume == 100)
        let latest = try #require(context.longTerm.latest)
        #expect(latest.ema20 > latest.ema50)
        #expect(latest.atr14 != nil && latest.atr3 != nil)
        #expect(context.longTerm.rsi14.count == 10)

        let misaligned = [Candle(start: Timestamp(milliseconds: 1), open: 1, high: 1, low: 1, close: 1, volume: 0)]
        #expect(throws: MarketError.self) { try state.warmUp(symbol: symbol("BTC"), interval: .fourHours, candles: misaligned) }
        #expect(throws: MarketError.self) { try state.warmUp(symbol: symbol("ETH"), interval: .fourHours, candles: history) }
    }

    @Test("a simulated hour feeds candles whose closes are the snapshot mids")
    func simulationIntoState() throws {
        var market = try SimulatedMarket(seed: 3, start: simulationStart)
        var state = MarketState()
        var mids: [FixedDecimal] = []
        for _ in 0..<3_600 {
            guard let next = try market.next() else { break }
            state.ingest(next)
            mids.append(next[symbol("SOL")]?.mid ?? .zero)
        }
        let series = try #require(state.series(for: symbol("SOL"), interval: .threeMinutes))
        #expect(series.candles.count == 20)
        #expect(series.candles.map(\.close) == stride(from: 179, to: 3_600, by: 180).map { mids[$0] })
        #expect(series.candles.first?.high == mids.prefix(180).max())
        #expect(state.allIndicators().count == 3)
    }
}

@Suite("Simulated history")
struct SimulatedHistoryTests {
    @Test("history ends at the start price before the start's interval and warms every indicator")
    func history() throws {
        let start = simulationStart.adding(milliseconds: 100_000)
        var market = try SimulatedMarket(seed: 6, start: start)
        let history = market.history(interval: .fourHours, count: 200)
        #expect(history == market.history(interval: .fourHours, count: 200))
        let btc = try #require(history[symbol("BTC")])
        #expect(btc.count == 200)
        #expect(btc.last?.close == 97_000)
        #expect(btc.last?.start == simulationStart.adding(milliseconds: -CandleInterval.fourHours.milliseconds))
        for pair in zip(btc, btc.dropFirst()) {
            #expect(pair.1.start.milliseconds - pair.0.start.milliseconds == CandleInterval.fourHours.milliseconds)
            #expect(pair.1.open == pair.0.close)
        }
        let instrument = Instrument.defaultInstrument(for: symbol("SOL"))
        for candle in history[symbol("SOL")] ?? [] {
            #expect(candle.low <= FixedDecimal.min(candle.open, candle.close) && candle.high >= FixedDecimal.max(candle.open, candle.close))
            #expect([candle.open, candle.high, candle.low, candle.close].allSatisfy { instrument.isValidPrice($0) })
            #expect(candle.volume.isPositive)
        }

        var state = MarketState()
        try state.warmUp(history: history, interval: .fourHours)
        try state.warmUp(history: market.history(interval: .threeMinutes, count: 200), interval: .threeMinutes)
        state.ingest(try #require(try market.next()))
        for context in state.allIndicators() {
            #expect(context.intraday.candleCount == 201)
            #expect(context.intraday.latest?.rsi14 != nil)
            #expect(context.longTerm.latest?.atr14 != nil)
            #expect(context.longTerm.averageVolume != nil)
        }
    }
}
