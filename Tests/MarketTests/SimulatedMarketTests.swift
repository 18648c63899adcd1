import ArenaCore
import Foundation
import Testing
@testable import Market

let simulationStart = Timestamp(milliseconds: 1_767_225_600_000)  // 2026-01-01T00:00:00Z

func snapshots(_ source: inout some MarketSource, count: Int) throws -> [MarketSnapshot] {
    var result: [MarketSnapshot] = []
    for _ in 0..<count {
        guard let snapshot = try source.next() else { break }
        result.append(snapshot)
    }
    return result
}

/// The sample autocorrelation of `values` at `lag`.
func autocorrelation(_ values: [Double], lag: Int) -> Double {
    let mean = values.reduce(0, +) / Double(values.count)
    var numerator = 0.0, denominator = 0.0
    for index in values.indices {
        let deviation = values[index] - mean
        denominator += deviation * deviation
        if index >= lag { numerator += deviation * (values[index - lag] - mean) }
    }
    return numerator / denominator
}

@Suite("Simulated market")
struct SimulatedMarketTests {
    @Test("the same seed gives identical snapshots")
    func sameSeed() throws {
        var first = try SimulatedMarket(seed: 42, start: simulationStart)
        var second = try SimulatedMarket(seed: 42, start: simulationStart)
        #expect(try snapshots(&first, count: 300) == snapshots(&second, count: 300))
        #expect(first.description == "simulation (seed 42)")
    }

    @Test("different seeds give different paths")
    func differentSeeds() throws {
        var first = try SimulatedMarket(seed: 1, start: simulationStart)
        var second = try SimulatedMarket(seed: 2, start: simulationStart)
        let a = try snapshots(&first, count: 60).map { $0[symbol("BTC")]?.mid }
        let b = try snapshots(&second, count: 60).map { $0[symbol("BTC")]?.mid }
        #expect(a != b)
    }

    @Test("snapshots start at the injected time and advance by the step")
    func timing() throws {
        var market = try SimulatedMarket(seed: 5, start: simulationStart, stepMilliseconds: 250)
        let times = try snapshots(&market, count: 5).map(\.time.milliseconds)
        #expect(times == (0..<5).map { simulationStart.milliseconds + Int64($0) * 250 })
        #expect(market.symbols == [symbol("BTC"), symbol("ETH"), symbol("SOL")])
        #expect(market.instruments[symbol("ETH")]?.sizeDecimals == 4)
    }

    @Test("starting prices, funding, open interest and volume are plausible")
    func plausibleStart() throws {
        var market = try SimulatedMarket(seed: 9, start: simulationStart)
        let snapshot = try #require(try market.next())
        let btc = try #require(snapshot[symbol("BTC")])
        #expect((btc.mid - 97_000).magnitude < 10)
        #expect(btc.mark == btc.mid)
        #expect(btc.fundingRate == decimal("0.0000125"))
        let interest = try #require(btc.openInterest)
        #expect(interest > 20_000 && interest < 40_000)
        #expect(btc.volume.isPositive && btc.volume < 10)
        #expect((try #require(snapshot[symbol("ETH")])).mid > 3_300)
        #expect((try #require(snapshot[symbol("SOL")])).mid < 200)
    }

    @Test("over a long run prices stay positive and on the grid and books stay well formed")
    func invariants() throws {
        var market = try SimulatedMarket(seed: 11, start: simulationStart)
        var fundingSum = 0.0
        var count = 0
        while count < 3_000, let snapshot = try market.next() {
            #expect(snapshot.symbols == market.symbols)
            for (symbol, quote) in snapshot.quotes {
                let instrument = try #require(market.instruments[symbol])
                if count % 100 == 0 { expectWellFormed(quote.book, instrument: instrument) }
                #expect(quote.mid.isPositive)
                #expect(quote.mid == quote.book.mid)
                #expect(quote.book.bids.allSatisfy { instrument.isValidPrice($0.price) })
                #expect(quote.book.asks.allSatisfy { instrument.isValidPrice($0.price) })
                #expect(quote.volume >= .zero)
                #expect(quote.openInterest.map(\.isPositive) == true)
                fundingSum += quote.fundingRate.doubleValue
            }
            count += 1
        }
        // Funding reverts around 0.00125% an hour.
        let meanFunding = fundingSum / Double(count * 3)
        #expect(meanFunding > 0.000005 && meanFunding < 0.00002)
    }

    @Test("prices visibly move within a minute")
    func movement() throws {
        var market = try SimulatedMarket(seed: 4, start: simulationStart)
        let mids = try snapshots(&market, count: 601).compactMap { $0[symbol("BTC")]?.mid }
        var moved = 0
        for minute in 0..<10 where (mids[minute * 60 + 60] - mids[minute * 60]).magnitude >= 20 { moved += 1 }
        #expect(moved >= 5)
    }

    @Test("squared returns are autocorrelated (volatility clusters) and ETH follows BTC")
    func clusteringAndCorrelation() throws {
        var market = try SimulatedMarket(configuration: .init(
            seed: 21, start: simulationStart, stepMilliseconds: 60_000,
            book: BookBuilder(levels: 1)))
        var btcReturns: [Double] = []
        var ethReturns: [Double] = []
        var previous: MarketSnapshot?
        while btcReturns.count < 20_000, let snapshot = try market.next() {
            if let before = previous {
                func logReturn(_ name: String) -> Double {
                    log((snapshot[symbol(name)]?.mid.doubleValue ?? 1) / (before[symbol(name)]?.mid.doubleValue ?? 1))
                }
                btcReturns.append(logReturn("BTC"))
                ethReturns.append(logReturn("ETH"))
            }
            previous = snapshot
        }
        let squared = btcReturns.map { $0 * $0 }
        #expect(autocorrelation(squared, lag: 1) > 0.05)
        #expect(autocorrelation(squared, lag: 5) > 0.03)
        // Returns themselves are not autocorrelated.
        #expect(abs(autocorrelation(btcReturns, lag: 1)) < 0.05)
        let btcMean = btcReturns.reduce(0, +) / Double(btcReturns.count)
        let ethMean = ethReturns.reduce(0, +) / Double(ethReturns.count)
        var covariance = 0.0, btcVariance = 0.0, ethVariance = 0.0
        for index in btcReturns.indices {
            covariance += (btcReturns[index] - btcMean) * (ethReturns[index] - ethMean)
            btcVariance += (btcReturns[index] - btcMean) * (btcReturns[index] - btcMean)
            ethVariance += (ethReturns[index] - ethMean) * (ethReturns[index] - ethMean)
        }
        let correlation = covariance / (btcVariance * ethVariance).squareRoot()
        #expect(correlation > 0.7 && correlation < 0.9)
    }

    @Test("invalid configurations are refused")
    func invalidConfigurations() {
        func refused(_ change: (inout SimulatedMarket.Configuration) -> Void) -> Bool {
            var configuration = SimulatedMarket.Configuration(seed: 1, start: simulationStart)
            change(&configuration)
            do {
                _ = try SimulatedMarket(configuration: configuration)
                return false
            } catch {
                return error is MarketError
            }
        }
        #expect(refused { $0.symbols = [] })
        #expect(refused { $0.symbols = [.bitcoin, .bitcoin] })
        #expect(refused { $0.stepMilliseconds = 0 })
        #expect(refused { $0.shockWeight = 0.5; $0.variancePersistence = 0.6 })
        #expect(refused { $0.symbols[0].startPrice = .zero })
        #expect(refused { $0.symbols[1].correlationWithLead = 2 })
        #expect(refused { $0.book.levels = 0 })
        #expect(!refused { $0.symbols = [.solana, .generic(symbol("DOGE"), startPrice: decimal("0.35"))] })
    }
}
