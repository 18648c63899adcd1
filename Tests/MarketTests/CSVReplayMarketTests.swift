import ArenaCore
import ArenaTestSupport
import Foundation
import Testing
@testable import Market

func replay(_ text: String, intraBarPath: Bool = false) throws -> CSVReplayMarket {
    try CSVReplayMarket(text: text, name: "test.csv", configuration: .init(seed: 1, intraBarPath: intraBarPath))
}

func allSnapshots(_ market: inout CSVReplayMarket) throws -> [MarketSnapshot] {
    var result: [MarketSnapshot] = []
    while let snapshot = try market.next() { result.append(snapshot) }
    return result
}

/// Returns the `MarketError` the closure throws, or nil.
func marketError(_ body: () throws -> Void) -> MarketError? {
    do {
        try body()
        return nil
    } catch let error as MarketError {
        return error
    } catch {
        return nil
    }
}

let header = "timestamp,symbol,open,high,low,close,volume"

@Suite("CSV replay")
struct CSVReplayMarketTests {
    @Test("ISO 8601 and epoch millisecond timestamps both parse, one snapshot per distinct time")
    func timestamps() throws {
        var market = try replay("""
            \(header)
            2026-01-01T00:00:00Z,BTC,97000,97100,96900,97050,12.5
            1767225660000,BTC,97050,97200,97000,97150,3
            2026-01-01 00:02:00,BTC,97150,97150,97000,97010,0
            """)
        let result = try allSnapshots(&market)
        #expect(result.map(\.time.milliseconds) == [1_767_225_600_000, 1_767_225_660_000, 1_767_225_720_000])
        let quotes = result.compactMap { $0[symbol("BTC")] }
        #expect(quotes.map { $0.book.mid } == quotes.map(\.mid))
        // Without the intra-bar path each bar is its close, within half a spread.
        for (quote, close) in zip(quotes, [97_050, 97_150, 97_010]) {
            #expect((quote.mid - FixedDecimal(close)).magnitude <= 2)
            expectWellFormed(quote.book, instrument: Instrument.defaultInstrument(for: symbol("BTC")))
        }
        #expect(quotes.map(\.volume) == [decimal("12.5"), 3, 0])
        #expect(quotes.allSatisfy { $0.fundingRate == .zero && $0.openInterest == nil })
        #expect(market.description == "replay of test.csv")
    }

    @Test("interleaved symbols group by time and a missing symbol carries its last quote forward")
    func carryForward() throws {
        var market = try replay("""
            \(header)
            1000,BTC,100000,100000,100000,100000,1
            1000,ETH,3400,3400,3400,3400,2
            2000,ETH,3410,3410,3410,3410,4
            3000,SOL,190,190,190,190,5
            3000,BTC,100100,100100,100100,100100,6
            """)
        #expect(market.symbols == [symbol("BTC"), symbol("ETH"), symbol("SOL")])
        let result = try allSnapshots(&market)
        #expect(result.count == 3)
        #expect(result[0].symbols == [symbol("BTC"), symbol("ETH")])
        #expect(result[1].symbols == [symbol("BTC"), symbol("ETH")])
        #expect(result[2].symbols == [symbol("BTC"), symbol("ETH"), symbol("SOL")])
        // BTC is absent at 2000: same quote, no volume.
        #expect(result[1][symbol("BTC")]?.book == result[0][symbol("BTC")]?.book)
        #expect(result[1][symbol("BTC")]?.volume == .zero)
        #expect(result[1][symbol("ETH")]?.volume == 4)
        #expect(result[2][symbol("ETH")]?.mid == result[1][symbol("ETH")]?.mid)
        #expect(result[2][symbol("ETH")]?.volume == .zero)
        #expect(result[2][symbol("BTC")]?.volume == 6)
    }

    @Test("rows grouped by symbol are ordered by time, file order kept among equal times")
    func sortsByTime() throws {
        var market = try replay("""
            \(header)
            1000,BTC,100000,100000,100000,100000,1
            2000,BTC,100100,100100,100100,100100,1
            1000,ETH,3400,3400,3400,3400,2
            2000,ETH,3410,3410,3410,3410,2
            """)
        let result = try allSnapshots(&market)
        #expect(result.map(\.time.milliseconds) == [1000, 2000])
        #expect(result.allSatisfy { $0.symbols.count == 2 })
    }

    @Test("the intra-bar path visits open, the nearer extreme, the farther one and close, splitting volume")
    func intraBarPath() throws {
        var market = try replay("""
            \(header)
            0,SOL,100,110,99,105,10
            60000,SOL,105,106,90,91,0.00000003
            """, intraBarPath: true)
        let result = try allSnapshots(&market)
        #expect(result.map(\.time.milliseconds) == [0, 15_000, 30_000, 45_000, 60_000, 75_000, 90_000, 105_000])
        let mids = result.compactMap { $0[symbol("SOL")]?.mid.doubleValue }
        let expected: [Double] = [100, 99, 110, 105, 105, 106, 90, 91]
        for (mid, target) in zip(mids, expected) { #expect(abs(mid - target) < 0.02) }
        let volumes = result.compactMap { $0[symbol("SOL")]?.volume }
        #expect(volumes[0..<4].reduce(FixedDecimal.zero, +) == 10)
        #expect(volumes[0] == decimal("2.5"))
        #expect(volumes[4..<8].reduce(FixedDecimal.zero, +) == decimal("0.00000003"))
    }

    @Test("a single bar, or the path turned off, gives one snapshot per bar at its close")
    func singleBar() throws {
        var market = try replay("\(header)\n0,SOL,100,110,99,105,10\n", intraBarPath: true)
        let result = try allSnapshots(&market)
        #expect(result.count == 1)
        #expect(result.first?[symbol("SOL")]?.volume == 10)
        #expect(try market.next() == nil)
    }

    @Test("CRLF line ends, surrounding whitespace, blank lines and a byte order mark are tolerated")
    func tolerance() throws {
        let text = "\u{FEFF} timestamp , symbol,open,high,low,close,volume \r\n 1000 , btc , 97000 ,97000,97000, 97000 , 1 \r\n\r\n2000,BTC,97001,97001,97001,97001,1\r\n"
        var market = try replay(text)
        let result = try allSnapshots(&market)
        #expect(result.count == 2)
        #expect(result[0][symbol("BTC")] != nil)
    }

    @Test("the same replay seed gives identical books")
    func deterministic() throws {
        let text = "\(header)\n0,ETH,3400,3410,3390,3405,1\n60000,ETH,3405,3420,3400,3418,1\n"
        var first = try replay(text, intraBarPath: true)
        var second = try replay(text, intraBarPath: true)
        #expect(try allSnapshots(&first) == allSnapshots(&second))
    }

    @Test("a replay reseeded, even after it has run, replays from its first bar as the file parsed anew with that seed")
    func reseeded() throws {
        let text = "\(header)\n0,ETH,3400,3410,3390,3405,1\n60000,ETH,3405,3420,3400,3418,1\n120000,ETH,3418,3430,3410,3412,1\n"
        var used = try replay(text, intraBarPath: true)
        _ = try used.next()
        _ = try used.next()
        var reseeded = used.reseeded(9)
        var parsed = try CSVReplayMarket(text: text, name: "test.csv", configuration: .init(seed: 9, intraBarPath: true))
        #expect(reseeded.configuration.seed == 9)
        let expected = try allSnapshots(&parsed)
        #expect(try allSnapshots(&reseeded) == expected)
        // Another seed draws other books.
        var other = try replay(text, intraBarPath: true)
        #expect(try allSnapshots(&other) != expected)
    }

    @Test("coins without built-in metadata get an instrument sized from their price")
    func derivedInstruments() throws {
        let market = try replay("\(header)\n0,DOGE,0.35,0.36,0.34,0.355,1000\n0,AVAX,35.2,35.5,35,35.1,10\n")
        #expect(market.instruments[symbol("DOGE")]?.sizeDecimals == 0)
        #expect(market.instruments[symbol("AVAX")]?.sizeDecimals == 2)
        var replayed = market
        let snapshot = try #require(try replayed.next())
        for (coin, quote) in snapshot.quotes {
            expectWellFormed(quote.book, instrument: try #require(market.instruments[coin]))
        }
    }

    @Test("malformed files are refused with the line and column at fault",
          arguments: [
              ("timestamp,symbol,open,high,low,close\n1,BTC,1,1,1,1\n", 1, nil as String?),
              ("\(header)\n1,BTC,1,1,1,1\n", 2, nil),
              ("\(header)\n1,BTC,1,1,1,1,1,1\n", 2, nil),
              ("\(header)\n1,BTC,1,1,1,1,1\nyesterday,BTC,1,1,1,1,1\n", 3, "1 (timestamp)"),
              ("\(header)\n2026-13-01,BTC,1,1,1,1,1\n", 2, "1 (timestamp)"),
              ("\(header)\n1,BTC-PERP,1,1,1,1,1\n", 2, "2 (symbol)"),
              ("\(header)\n1,,1,1,1,1,1\n", 2, "2 (symbol)"),
              ("\(header)\n1,BTC,abc,1,1,1,1\n", 2, "3 (open)"),
              ("\(header)\n1,BTC,1,1,1,1,1\n2,BTC,1,1,1,NaN,1\n", 3, "6 (close)"),
              ("\(header)\n1,BTC,1,1,1,1,1\n2,BTC,1,1,1,0.000000001,1\n", 3, "6 (close)"),
              ("\(header)\n1,BTC,0,1,1,1,1\n", 2, "3 (open)"),
              ("\(header)\n1,BTC,1,1,-1,1,1\n", 2, "5 (low)"),
              ("\(header)\n1,BTC,1,1,1,1,-5\n", 2, "7 (volume)"),
              ("\(header)\n1,BTC,1,1,1,1,\n", 2, "7 (volume)"),
              ("\(header)\n1,BTC,100,99,101,100,1\n", 2, "4 (high)"),
              ("\(header)\n1,BTC,102,101,99,100,1\n", 2, "3 (open)"),
              ("\(header)\n1,BTC,100,101,99,98,1\n", 2, "6 (close)"),
              ("\(header)\n1,BTC,1,1,1,1,1\n1,BTC,2,2,2,2,1\n", 3, nil),
              ("\(header)\n1,BTC,1,1,1,1,1\n1,ETH,1,1,1,1,1\n2,SOL,0.0000001,0.0000001,0.0000001,0.0000001,1\n", 4, "5 (low)"),
              ("\(header)\n1,BTC,1,1,1,1,1\n\(String(repeating: "9", count: 5_000)),BTC,1,1,1,1,1\n", 3, nil),
          ])
    func validation(text: String, line: Int, column: String?) {
        let error = marketError { _ = try replay(text) }
        #expect(error?.line == line, "\(String(describing: error))")
        if case .invalidRow(_, let foundColumn, _) = error {
            #expect(foundColumn == column)
        } else {
            #expect(column == nil, "expected a row error, got \(String(describing: error))")
        }
        #expect(error.map { String(describing: $0).hasPrefix("line \(line)") } == true, "\(String(describing: error))")
    }

    @Test("an empty file or a header alone is refused", arguments: ["", "\n\n", "\(header)\n", "\(header)\r\n  \r\n"])
    func empty(text: String) {
        #expect(marketError { _ = try replay(text) } == .emptyFile)
    }

    @Test("files are read from disk, refused when missing or over the size limit")
    func files() throws {
        let temporary = try TemporaryFolder(prefix: "market-tests")
        defer { withExtendedLifetime(temporary) {} }
        let directory = temporary.url
        let path = directory.appendingPathComponent("bars.csv").path
        try "\(header)\n0,BTC,97000,97000,97000,97000,1\n".write(toFile: path, atomically: true, encoding: .utf8)

        var market = try CSVReplayMarket(path: path)
        #expect(try market.next() != nil)
        #expect(market.description == "replay of \(path)")

        let missing = marketError { _ = try CSVReplayMarket(path: directory.appendingPathComponent("none.csv").path) }
        guard case .unreadableFile = missing else { Issue.record("expected unreadable file, got \(String(describing: missing))"); return }
        let large = marketError { _ = try CSVReplayMarket(path: path, configuration: .init(maximumFileBytes: 10)) }
        guard case .fileTooLarge(_, let bytes, 10) = large else { Issue.record("expected too large, got \(String(describing: large))"); return }
        #expect(bytes > 10)
    }

    /// How fast it loads is the season benchmark's to measure (a timed test here failed on a busy
    /// machine); this checks that a file of that size loads whole and replays every step.
    @Test("a 100,000-row file loads and replays every step")
    func largeFile() throws {
        var text = header + "\n"
        text.reserveCapacity(5_000_000)
        let start: Int64 = 1_700_000_000_000
        for row in 0..<100_000 {
            let price = 90_000 + row % 1_000
            text += "\(start + Int64(row / 2) * 60_000),\(row % 2 == 0 ? "BTC" : "ETH"),\(price).5,\(price + 10),\(price - 10),\(price).25,1.5\n"
        }
        var replayed = try replay(text)
        var steps = 0
        var last: Timestamp?
        while let snapshot = try replayed.next() {
            steps += 1
            last = snapshot.time
        }
        #expect(steps == 50_000, "two coins a minute")
        #expect(last == Timestamp(milliseconds: start + 49_999 * 60_000))
    }
}
