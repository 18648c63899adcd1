import ArenaCore
import ArenaTestSupport
import Foundation
import Testing
@testable import Market

/// The replay format's optional columns and the recorder that writes them: old files read as
/// before, extra columns are found by the header, and a recording replays the prices, funding,
/// open interest and top of book it recorded.
@Suite("Market recording and the replay's optional columns")
struct MarketRecordingTests {
    let btc = Symbol("BTC")!
    let eth = Symbol("ETH")!

    @Test("optional columns are found by the header, in any order, and reach the quotes; empty fields are unknown")
    func optionalColumns() throws {
        var market = try replay("""
            \(header),open_interest,funding_rate
            1000,BTC,100,110,90,105,2,1234.5,-0.0000125
            1000,ETH,10,11,9,10.5,3,,0.00001
            2000,BTC,105,106,104,106,1,1240,0.00002
            """)
        let snapshots = try allSnapshots(&market)
        #expect(snapshots.count == 2)
        let first = try #require(snapshots.first)
        #expect(first[btc]?.fundingRate == FixedDecimal("-0.0000125"))
        #expect(first[btc]?.openInterest == FixedDecimal("1234.5"))
        #expect(first[eth]?.openInterest == nil)
        #expect(first[eth]?.fundingRate == FixedDecimal("0.00001"))
        #expect(snapshots.last?[btc]?.openInterest == FixedDecimal(1240))
        // A plain file still reads, with no funding and unknown open interest.
        var plain = try replay("\(header)\n1000,BTC,100,110,90,105,2\n")
        let quote = try #require(try plain.next()?[btc])
        #expect(quote.fundingRate == .zero && quote.openInterest == nil)
    }

    @Test("rows out of time order keep their own optional values")
    func unsortedExtras() throws {
        var market = try replay("""
            \(header),funding_rate,open_interest
            2000,BTC,105,106,104,106,1,0.0002,20
            1000,BTC,100,110,90,105,2,0.0001,10
            """)
        let snapshots = try allSnapshots(&market)
        #expect(snapshots.map { $0[btc]?.openInterest } == [FixedDecimal(10), FixedDecimal(20)])
        #expect(snapshots.map { $0[btc]?.fundingRate } == [FixedDecimal("0.0001"), FixedDecimal("0.0002")])
    }

    @Test("bad optional columns and values are refused with the line and column")
    func badExtras() {
        #expect(marketError { _ = try replay("\(header),spread\n1000,BTC,1,1,1,1,1,2\n") } == .invalidHeader(found: "\(header),spread"))
        #expect(marketError { _ = try replay("\(header),bid,bid\n1000,BTC,1,1,1,1,1,2,2\n") } != nil)
        #expect(marketError { _ = try replay("timestamp,symbol,open,high,low,close,funding_rate,volume\n") } != nil)
        let negative = marketError { _ = try replay("\(header),open_interest\n1000,BTC,1,1,1,1,1,-5\n") }
        #expect(negative.map { "\($0)" }?.contains("line 2, column 8 (open_interest)") == true)
        #expect(marketError { _ = try replay("\(header),bid,ask\n1000,BTC,1,1,1,1,1,2,1\n") }.map { "\($0)" }?.contains("above the ask") == true)
        #expect(marketError { _ = try replay("\(header),funding_rate\n1000,BTC,1,1,1,1,1,abc\n") } != nil)
        #expect(marketError { _ = try replay("\(header),funding_rate\n1000,BTC,1,1,1,1,1\n") }.map { "\($0)" }?.contains("expected 8 columns") == true)
    }

    @Test("a recording writes one bar per coin per interval, flushed as the next interval starts, and replays what it saw")
    func recordAndReplay() throws {
        let folder = try TemporaryFolder(prefix: "recording")
        let path = folder.path("market.csv")
        var source = try SimulatedMarket(seed: 9, start: Timestamp(milliseconds: 1_700_000_000_000))
        let recorder = try MarketRecorder(path: path, intervalSeconds: 10)
        var seen: [MarketSnapshot] = []
        for _ in 0..<100 {
            let snapshot = try #require(try source.next())
            seen.append(snapshot)
            try recorder.record(snapshot)
        }
        // Bars are on disk before the end: every interval but the open one.
        let before = try String(contentsOfFile: path, encoding: .utf8)
        #expect(before.hasPrefix(CSVFormat.recordingHeader + "\n"))
        let intervalsBefore = recorder.intervalsWritten
        #expect(intervalsBefore > 0)
        try recorder.finish()
        #expect(recorder.intervalsWritten == intervalsBefore + 1)

        // Each bar is the interval's mids: open, high, low, close; the close's funding, open interest and top of book.
        var expected: [Int64: [Symbol: (open: FixedDecimal, high: FixedDecimal, low: FixedDecimal, last: Quote)]] = [:]
        for snapshot in seen {
            let interval = snapshot.time.milliseconds / 10_000 * 10_000
            for (symbol, quote) in snapshot.quotes {
                if let bar = expected[interval]?[symbol] {
                    expected[interval]?[symbol] = (bar.open, max(bar.high, quote.mid), min(bar.low, quote.mid), quote)
                } else {
                    expected[interval, default: [:]][symbol] = (quote.mid, quote.mid, quote.mid, quote)
                }
            }
        }
        var replayed = try CSVReplayMarket(path: path, configuration: .init(seed: 1, intraBarPath: false))
        let snapshots = try allSnapshots(&replayed)
        #expect(snapshots.count == expected.count)
        for snapshot in snapshots {
            let bars = try #require(expected[snapshot.time.milliseconds])
            for (symbol, bar) in bars {
                let quote = try #require(snapshot[symbol])
                #expect(quote.mid == bar.last.mid, "\(symbol) at \(snapshot.time.milliseconds): the recorded mid comes back")
                #expect(quote.fundingRate == bar.last.fundingRate)
                #expect(quote.openInterest == bar.last.openInterest)
                #expect(quote.book.bestBid == bar.last.book.bestBid && quote.book.bestAsk == bar.last.book.bestAsk)
            }
        }
        // With the intra-bar path, open and extremes come back too, and the close last.
        var path4 = try CSVReplayMarket(path: path, configuration: .init(seed: 1, intraBarPath: true))
        let steps = try allSnapshots(&path4)
        let firstInterval = try #require(expected.keys.min())
        let firstBars = try #require(expected[firstInterval])
        let firstSteps = steps.prefix(4)
        for (symbol, bar) in firstBars {
            let prices = firstSteps.compactMap { $0[symbol]?.mid }
            #expect(prices.count == 4)
            #expect(prices.last == bar.last.mid, "the close step shows the recorded mid")
            // The other steps sit on synthetic books around the open and the extremes: within a spread of them.
            let open = try #require(prices.first)
            #expect(((open - bar.open).magnitude.doubleValue) <= bar.open.doubleValue * 0.0002)
        }
    }

    @Test("a recording never overwrites a file, and its interval is bounded")
    func refusals() throws {
        let folder = try TemporaryFolder(prefix: "recording")
        let path = folder.path("taken.csv")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: MarketError.self) { _ = try MarketRecorder(path: path, intervalSeconds: 60) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
        #expect(throws: MarketError.self) { _ = try MarketRecorder(path: folder.path("zero.csv"), intervalSeconds: 0) }
        #expect(throws: MarketError.self) { _ = try MarketRecorder(path: folder.path("no/such/folder.csv"), intervalSeconds: 60) }
    }
}
