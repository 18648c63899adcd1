import ArenaCore
import ArenaTestSupport
import Foundation
import Market
import Storage
import Testing

/// `arena serve --record-market` as a real process: the file holds the prices the arena put on its
/// feed, bar by bar, and `arena serve --market replay:FILE` brings back those prices, funding,
/// open interest and top of book.
@Suite("Recording the market through arena serve", .serialized)
struct MarketRecordingServeTests {
    /// The price messages a server stored: each step's mids by coin, by time.
    func storedMids(_ databasePath: String) throws -> [(time: Int64, mids: [String: FixedDecimal])] {
        let database = try ArenaDatabase(path: databasePath)
        defer { try? database.close() }
        let ledger = LedgerStore(database: database)
        var result: [(Int64, [String: FixedDecimal])] = []
        var after: Int64 = 0
        while true {
            let page = try ledger.events(after: after, limit: 1_000)
            guard let last = page.last else { break }
            after = last.seq
            for message in page where message.topic == .price {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(message.json.utf8)) as? [String: Any])
                let data = try #require(object["data"] as? [String: Any])
                let mids = try #require(data["mids"] as? [String: String])
                result.append((message.time.milliseconds, mids.compactMapValues { FixedDecimal($0) }))
            }
        }
        return result
    }

    /// The file's rows: interval start, coin, and every field by column name.
    func rows(_ path: String) throws -> [(time: Int64, symbol: String, fields: [String: String])] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let names = try #require(lines.first).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(names.joined(separator: ",") == CSVFormat.recordingHeader)
        return try lines.dropFirst().map { line in
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(values.count == names.count)
            let fields = Dictionary(uniqueKeysWithValues: zip(names, values))
            return (try #require(Int64(fields["timestamp"] ?? "")), fields["symbol"] ?? "", fields)
        }
    }

    typealias Bar = (open: FixedDecimal, high: FixedDecimal, low: FixedDecimal, close: FixedDecimal)

    /// The bars the stored mids make: per interval and coin, the first, highest, lowest and last.
    func bars(_ seen: [(time: Int64, mids: [String: FixedDecimal])], interval: Int64) -> [Int64: [String: Bar]] {
        var expected: [Int64: [String: Bar]] = [:]
        for (time, mids) in seen {
            let start = time / interval * interval
            for (symbol, mid) in mids {
                if let bar = expected[start]?[symbol] {
                    expected[start]?[symbol] = (bar.open, max(bar.high, mid), min(bar.low, mid), mid)
                } else {
                    expected[start, default: [:]][symbol] = (mid, mid, mid, mid)
                }
            }
        }
        return expected
    }

    @Test("after a SIGKILL the recording replays, and holds every interval but the open one, each as the arena saw it")
    func crash() async throws {
        let folder = try TemporaryFolder(prefix: "record-market-crash")
        let file = folder.path("recorded.csv")
        let recording = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "6", "--speed", "20",
                                                           "--record-market", file, "--record-interval-seconds", "2"])
        try await Task.sleep(for: .seconds(3))
        await recording.child.crash()
        var replay = try CSVReplayMarket(path: file)
        #expect(try replay.next() != nil, "the file is a valid replay")
        let expected = bars(try storedMids(recording.databasePath), interval: 2_000)
        let recorded = try rows(file)
        let intervals = Set(recorded.map(\.time))
        #expect(intervals.count >= 5)
        let missing = Set(expected.keys).subtracting(intervals)
        #expect(missing.count <= 1 && missing.allSatisfy { $0 == expected.keys.max() }, "only the open interval is lost: \(missing.sorted())")
        for row in recorded {
            let bar = try #require(expected[row.time]?[row.symbol], "\(row.symbol) at \(row.time)")
            #expect(FixedDecimal(row.fields["close"] ?? "") == bar.close && FixedDecimal(row.fields["open"] ?? "") == bar.open)
        }
    }

    @Test("a recording holds the arena's own prices as bars, and replaying it gives them back with funding and open interest")
    func recordThenReplay() async throws {
        let folder = try TemporaryFolder(prefix: "record-market")
        let file = folder.path("recorded.csv")
        let interval: Int64 = 2_000
        let recording = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "5", "--speed", "20",
                                                           "--record-market", file, "--record-interval-seconds", "2"])
        try await Task.sleep(for: .seconds(4))
        let status = await recording.stop()
        #expect(status == 0, "\(recording.log)")
        #expect(recording.log.contains("market recording closed"))

        // The bars are the arena's own mids: per interval and coin, the first, highest, lowest and last.
        let seen = try storedMids(recording.databasePath)
        #expect(seen.count >= 20, "the sim at 20x ran for a while")
        let expected = bars(seen, interval: interval)
        let recorded = try rows(file)
        #expect(recorded.count == expected.values.map(\.count).reduce(0, +), "one row per coin per interval, the last one included")
        for row in recorded {
            let bar = try #require(expected[row.time]?[row.symbol], "\(row.symbol) at \(row.time)")
            #expect(FixedDecimal(row.fields["open"] ?? "") == bar.open)
            #expect(FixedDecimal(row.fields["high"] ?? "") == bar.high)
            #expect(FixedDecimal(row.fields["low"] ?? "") == bar.low)
            #expect(FixedDecimal(row.fields["close"] ?? "") == bar.close)
            #expect(FixedDecimal(row.fields["open_interest"] ?? "") != nil, "the simulation has open interest")
            #expect(FixedDecimal(row.fields["funding_rate"] ?? "") != nil)
            #expect(FixedDecimal(row.fields["bid"] ?? "") != nil && FixedDecimal(row.fields["ask"] ?? "") != nil)
        }
        #expect(Set(recorded.compactMap { $0.fields["funding_rate"] }).count > 1 || recorded.contains { $0.fields["funding_rate"] != "0" },
                "funding is recorded, not zero-filled")

        // Replayed by a real server to the end: each bar's close step shows the recorded mid, and the
        // newest quote the last bar's funding, open interest and top of book.
        let replaying = try await ArenaProcess(arguments: ["--market", "replay:\(file)", "--speed", "max"])
        let finished = await replaying.child.waitForOutput(timeout: .seconds(60)) { $0.contains("the market source has no more data") ? true : nil }
        #expect(finished == true, "\(replaying.log)")
        let (_, list) = try await replaying.getJSON("/api/markets")
        let markets = try #require(list["markets"] as? [[String: Any]])
        let lastTime = try #require(recorded.map(\.time).max())
        for row in recorded where row.time == lastTime {
            let market = try #require(markets.first { $0["symbol"] as? String == row.symbol })
            #expect(FixedDecimal(market["mid"] as? String ?? "") == FixedDecimal(row.fields["close"] ?? ""))
            #expect(FixedDecimal(market["funding_rate"] as? String ?? "") == FixedDecimal(row.fields["funding_rate"] ?? ""))
            #expect(FixedDecimal(market["open_interest"] as? String ?? "") == FixedDecimal(row.fields["open_interest"] ?? ""))
            let (_, detail) = try await replaying.getJSON("/api/markets/\(row.symbol)")
            #expect(FixedDecimal(detail["best_bid"] as? String ?? "") == FixedDecimal(row.fields["bid"] ?? ""))
            #expect(FixedDecimal(detail["best_ask"] as? String ?? "") == FixedDecimal(row.fields["ask"] ?? ""))
        }
        #expect(await replaying.stop() == 0)
        let replayed = try storedMids(replaying.databasePath)
        // A bar of 2 s becomes four steps 500 ms apart; the fourth is the close.
        let closes = Dictionary(grouping: replayed, by: \.time)
        for row in recorded {
            let step = try #require(closes[row.time + 3 * interval / 4]?.first, "the close step of \(row.time)")
            #expect(step.mids[row.symbol] == FixedDecimal(row.fields["close"] ?? ""), "\(row.symbol) at \(row.time)")
        }
    }
}
