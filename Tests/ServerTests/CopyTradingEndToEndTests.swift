import ArenaTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Issue #14 end to end: a real `arena serve` against the fake venue, whose trader tracker and a
/// paper copy account run together. The trader's positions are scripted at the venue; the copy
/// account must end up holding them scaled, through the tracker's events, and hold with one
/// `trader_stale` alert when the venue stops answering for the trader.
@Suite("arena serve copies a tracked trader end to end", .serialized)
struct CopyTradingEndToEndTests {
    static let trader = "0x" + String(repeating: "7e", count: 20)
    static let arguments = ["--traders-coins", "BTC", "--traders-discover-seconds", "900", "--traders-track-seconds", "1"]

    /// A roster of one paper account copying `trader` at a tenth of its sizes, two seconds after it
    /// sees a change, deciding every second.
    static func writeRoster(in folder: TemporaryFolder) throws -> String {
        let path = folder.path("roster.json")
        let roster = #"""
        {"accounts": [{"name": "copier", "symbols": ["BTC"], "initial_capital": "10000",
          "driver": {"kind": "copy", "trader": "\#(trader)", "ratio": "0.1", "delay_seconds": 2, "interval_seconds": 1}}]}
        """#
        try Data(roster.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func accountID(_ arena: ArenaProcess, named name: String) async throws -> Int? {
        let accounts = (try await arena.getJSON("/api/accounts")).1["accounts"] as? [[String: Any]] ?? []
        return accounts.first { $0["name"] as? String == name }?["id"] as? Int
    }

    /// The account's signed BTC size (zero when it holds none), as `GET /api/accounts/{id}` reports it.
    static func btcSize(_ arena: ArenaProcess, account: Int) async throws -> Decimal {
        let (status, body) = try await arena.getJSON("/api/accounts/\(account)")
        #expect(status == 200)
        let position = (body["positions"] as? [[String: Any]] ?? []).first { $0["symbol"] as? String == "BTC" }
        guard let text = position?["size"] as? String else { return 0 }
        return Decimal(string: text) ?? .nan
    }

    /// Waits until the account holds `expected` BTC; fails saying what it holds and what the copier last said.
    static func expectHolding(_ arena: ArenaProcess, account: Int, _ expected: String, after step: String) async throws {
        let wanted = try #require(Decimal(string: expected))
        let held = try await eventually(timeout: .seconds(15)) { try await btcSize(arena, account: account) == wanted }
        if !held {
            let actual = try await btcSize(arena, account: account)
            let decisions = try await feed(arena, topic: "decision").suffix(2)
            Issue.record("after \(step) the copy account holds \(actual) BTC, not \(expected); its last decisions: \(decisions)")
        }
    }

    /// Every stored feed message of `topic` (their `data`, with the envelope's account id added).
    static func feed(_ arena: ArenaProcess, topic: String) async throws -> [[String: Any]] {
        var found: [[String: Any]] = []
        var cursor = 0
        while true {
            let page = try await arena.getJSON("/api/feed?after_seq=\(cursor)&limit=5000").1
            for message in page["events"] as? [[String: Any]] ?? [] where message["type"] as? String == topic {
                var data = message["data"] as? [String: Any] ?? [:]
                data["account_id"] = message["account_id"]
                found.append(data)
            }
            cursor = page["next_after_seq"] as? Int ?? cursor
            if page["more"] as? Bool != true { break }
        }
        return found
    }

    static func staleAlerts(_ arena: ArenaProcess, account: Int) async throws -> [[String: Any]] {
        try await feed(arena, topic: "alert").filter { $0["kind"] as? String == "trader_stale" && $0["account_id"] as? Int == account }
    }

    static func eventKinds(_ arena: ArenaProcess, trader id: Int) async throws -> [String] {
        try await TraderTrackingServeTests.events(arena, id).compactMap { $0["kind"] as? String }
    }

    @Test("a paper copy account follows an open, an increase, a flip and a close, and holds with one alert when the trader goes stale")
    func followAndGoStale() async throws {
        let venue = try await TraderVenue()
        let folder = try TemporaryFolder(prefix: "arena-copy-e2e")
        let roster = try Self.writeRoster(in: folder)
        let arguments = ["--market", "hyperliquid:\(venue.baseURL)", "--config", roster] + Self.arguments
        try await venue.setTrader(Self.trader, accountValue: "20000", positions: [:])
        var running: ArenaProcess? = try await ArenaProcess(arguments: arguments)
        let arena = try #require(running)
        defer { running?.terminate() }

        let account = try #require(try await Self.accountID(arena, named: "copier"), "the roster's copy account is not listed")
        // Following an address not yet tracked starts tracking it.
        #expect(try await eventually(timeout: .seconds(15)) { try await TraderTrackingServeTests.trader(arena, Self.trader)?["last_tracked"] is Int },
                "the copy account's trader was never tracked")
        let tracked = try #require(try await TraderTrackingServeTests.trader(arena, Self.trader))
        #expect(tracked["source"] as? String == "copy")
        #expect(tracked["followers"] as? [Int] == [account])
        let traderID = try #require(tracked["id"] as? Int)

        // Each step of the trader at the venue: its positions, the event the tracker must store, and
        // the copy account's size after it (a tenth of the trader's).
        let steps: [(kind: String, size: String, entry: String, copied: String)] = [
            ("OPEN", "0.5", "65000", "0.05"), ("INCREASE", "0.8", "65100", "0.08"),
            ("FLIP", "-0.4", "64900", "-0.04"), ("CLOSE", "", "", "0"),
        ]
        for step in steps {
            try await venue.setTrader(Self.trader, accountValue: "20000", positions: step.size.isEmpty ? [:] : ["BTC": (step.size, step.entry)])
            let stored = try await eventually(timeout: .seconds(15)) { try await Self.eventKinds(arena, trader: traderID).contains(step.kind) }
            if !stored {
                Issue.record("no \(step.kind) event for the trader; it has \(try await Self.eventKinds(arena, trader: traderID))")
            }
            try await Self.expectHolding(arena, account: account, step.copied, after: step.kind)
        }
        let events = try await TraderTrackingServeTests.events(arena, traderID)
        let flip = events.first { $0["kind"] as? String == "FLIP" }
        #expect(flip?["side"] as? String == "short" && flip?["size"] as? String == "0.4" && flip?["previous_size"] as? String == "0.8",
                "the FLIP event: \(String(describing: flip))")
        let published = Set(try await Self.feed(arena, topic: "trader_event").filter { $0["trader_id"] as? Int == traderID }
            .compactMap { $0["kind"] as? String })
        #expect(published == Set(steps.map(\.kind)), "the feed's trader_event messages: \(published)")
        #expect(try await Self.staleAlerts(arena, account: account).isEmpty, "no stale alert while the trader is fresh")
        let fills = try await Self.feed(arena, topic: "fill").filter { $0["account_id"] as? Int == account }
        #expect(fills.count >= 4, "every copied change went through the paper executor: \(fills.count) fills")

        // The trader opens again and the tracker sees it; the arena goes down within the copier's
        // delay, so the copy account is still flat. It is down for ten minutes, and when it starts
        // again the venue no longer answers for the trader. (The trader's last look is moved back ten
        // minutes as that downtime would leave it: the copier measures staleness on the wall clock,
        // with a floor of two minutes.) The stale data says long 0.3: copying it would be wrong.
        try await venue.setTrader(Self.trader, accountValue: "20000", positions: ["BTC": ("0.3", "65000")])
        #expect(try await eventually(timeout: .seconds(15)) { try await Self.eventKinds(arena, trader: traderID).filter { $0 == "OPEN" }.count == 2 },
                "the tracker did not see the trader open again")
        #expect(try await Self.btcSize(arena, account: account) == 0, "the copier did not wait out its delay")
        _ = await arena.stop()
        running = nil
        let backdate = try ChildProcess.python(script: """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            changed = db.execute("UPDATE traders SET last_tracked = last_tracked - 600000 WHERE address = ?", (sys.argv[2],)).rowcount
            db.commit()
            sys.exit(0 if changed == 1 else 1)
            """, arguments: [arena.databasePath, Self.trader])
        #expect(await backdate.exited(timeout: .seconds(20)) == 0, "could not move the trader's last look back: \(backdate.output)")
        try await venue.control(["trader_down": ["address": Self.trader]])
        let second = try await ArenaProcess(arguments: arguments, database: arena.databasePath)
        running = second
        #expect(try await eventually(timeout: .seconds(15)) { try await !Self.staleAlerts(second, account: account).isEmpty },
                "no trader_stale alert for the copy account")
        // Several more decisions: it keeps holding, and the stale spell raised one alert only.
        try await Task.sleep(for: .seconds(4))
        #expect(try await Self.btcSize(second, account: account) == 0, "the copier traded on stale data")
        let alerts = try await Self.staleAlerts(second, account: account)
        #expect(alerts.count == 1, "one alert per stale spell, got \(alerts.count)")
        #expect((alerts.first?["message"] as? String)?.contains(Self.trader) == true, "\(alerts)")

        // The venue answers again: the data is fresh, and copying resumes (the delay long past) without another alert.
        try await venue.control(["trader_down": ["address": Self.trader, "down": false]])
        try await Self.expectHolding(second, account: account, "0.03", after: "the trader came back")
        #expect(try await Self.staleAlerts(second, account: account).count == 1)
        #expect(try await Self.eventKinds(second, trader: traderID).filter { $0 == "OPEN" }.count == 2, "no event repeated after the restart")
        // The roster's folder and the first process's (with the database) live until the end.
        withExtendedLifetime((folder, arena)) {}
    }
}
