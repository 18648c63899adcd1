import Arena
import ArenaTestSupport
import Foundation
import GRDB
import Storage
import Testing

/// `arena season run` and `arena season rerun` as an operator runs them: real subprocesses on a
/// small replay CSV, model entrants answered by the fake OpenAI-compatible provider on 127.0.0.1
/// (here, beside the model driver's own tests, so that it is reused rather than copied).
@Suite(.serialized)
struct SeasonTests {
    /// Eight hours of 5-minute bars of BTC and ETH from 2025-01-01T00:00Z, a seeded walk.
    static func replayCSV() -> String {
        var lines = ["timestamp,symbol,open,high,low,close,volume"]
        var btc = 95_000.0
        var eth = 3_400.0
        var state: UInt64 = 7
        func step() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        for bar in 0..<96 {
            let time = 1_735_689_600_000 + Int64(bar) * 300_000
            for (symbol, price) in [("BTC", btc), ("ETH", eth)] {
                let close = price * (1 + step() * 0.01)
                let high = max(price, close) * 1.002
                let low = min(price, close) * 0.998
                lines.append(String(format: "%lld,%@,%.2f,%.2f,%.2f,%.2f,%.1f", time, symbol, price, high, low, close, 50 + step() * 10))
                if symbol == "BTC" { btc = close } else { eth = close }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func modelEntrant(_ name: String, baseURL: String, prompts: [String], interval: Int = 3_600) -> String {
        let variants = prompts.map { "\"\($0)\"" }.joined(separator: ", ")
        return #"{"name": "\#(name)", "prompts": [\#(variants)], "driver": {"kind": "llm", "provider": "openai", "base_url": "\#(baseURL)", "model": "gpt-4o-mini", "interval_seconds": \#(interval), "timeout_seconds": 5}}"#
    }

    static let holdBTC = #"{"name": "hold-btc", "driver": {"kind": "buy_and_hold", "symbol": "BTC", "interval_seconds": 3600}}"#
    static let random = #"{"name": "random", "driver": {"kind": "random", "interval_seconds": 1800}, "risk_limits": {"max_leverage": 3}}"#

    static func season(name: String, entrants: [String], repeats: Int = 2, market: String = "market.csv") -> String {
        #"{"name": "\#(name)", "market": {"replay": "\#(market)"}, "symbols": ["BTC", "ETH"], "initial_capital": "10000", "realism": "venue", "repeats": \#(repeats), "seed": 11, "entrants": [\#(entrants.joined(separator: ", "))]}"#
    }

    /// Runs `arena ARGUMENTS` from the repository folder (where prompts/ and migrations/ are) and
    /// returns its exit status, standard output and standard error.
    static func arena(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        guard let executable = builtProduct("arena") else { throw SeasonTestError("the arena executable is not built; run swift build") }
        let child = try ChildProcess(executable: executable, arguments: arguments, directory: packageRoot)
        let status = await child.exited(timeout: .seconds(300)) ?? -1
        return (status, child.output, child.errorOutput)
    }

    struct SeasonTestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func runs(in folder: TemporaryFolder, _ name: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: folder.file("\(name)/runs.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    @Test func aRerunFromTheRecordedResponsesCallsNoModelAndReproducesTheRun() async throws {
        let provider = try await FakeProvider.shared()
        let channel = "season\(UInt32.random(in: 0...UInt32.max))"
        let open = #"{"decisions": [{"symbol": "BTC", "action": "open_long", "size": 0.2, "size_unit": "equity_fraction", "leverage": 2, "confidence": 0.6, "justification": "trend up"}]}"#
        let close = #"{"decisions": [{"symbol": "BTC", "action": "close", "confidence": 0.6, "justification": "take profit"}]}"#
        let nothing = #"{"decisions": []}"#
        // Answers take turns; which account gets which depends on timing, which is why the run records
        // them. Three kinds, so that even the four model accounts calling strictly in turn each get
        // an open and later a close (with two kinds, each would get the same kind every time).
        try await provider.script(channel, (0..<40).map { FakeProvider.Step(body: ProviderReply.openAITool([open, close, nothing][$0 % 3])) },
                                  otherwise: FakeProvider.Step(body: ProviderReply.openAITool(nothing)))
        let folder = try TemporaryFolder(prefix: "season")
        try Self.replayCSV().write(to: folder.file("market.csv"), atomically: true, encoding: .utf8)
        let model = Self.modelEntrant("fake", baseURL: provider.baseURL(channel), prompts: ["default", "aware"])
        try Self.season(name: "s1", entrants: [model, Self.holdBTC, Self.random]).write(to: folder.file("season.json"), atomically: true, encoding: .utf8)

        let run = try await Self.arena(["season", "run", folder.path("season.json"), "--out", folder.path("run")])
        #expect(run.status == 0, "\(run.error)")
        for file in ["season.json", "responses.jsonl", "runs.json", "ledger.sha256", "results.json", "ledgers/repeat-1.sqlite", "ledgers/repeat-2.sqlite"] {
            #expect(FileManager.default.fileExists(atPath: folder.path("run/\(file)")), "\(file) is missing")
        }
        // The saved ledger opens as an arena ledger and holds each account's statistics over the whole
        // repeat (a season stores them with its last snapshot only).
        let ledger = LedgerStore(database: try ArenaDatabase(path: folder.path("run/ledgers/repeat-1.sqlite")))
        let accounts = try ledger.accounts(includeArchived: true)
        #expect(accounts.count == 4)
        for account in accounts {
            let stored = try #require(try ledger.metrics(of: account.id))
            #expect(try JSONDecoder().decode(EquityStatistics.self, from: Data(stored.utf8)).samples >= 9, "\(account.name): \(stored)")
        }
        // Its schema is a migrated ledger's, down to the indexes the repeat built only when done.
        let fresh = try ArenaDatabase(path: folder.path("fresh.sqlite"))
        _ = try Migrator(folder: packageMigrations).migrate(fresh, now: 0)
        let schema = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        let saved = try ledger.database.read { db in try Row.fetchAll(db, sql: schema).map { "\($0)" } }
        let migrated = try fresh.read { db in try Row.fetchAll(db, sql: schema).map { "\($0)" } }
        #expect(saved == migrated)
        #expect(saved.contains { $0.contains("snapshots_by_account_time") })
        // Nobody listens to a season's feed: it keeps alerts only, the trading rows are all there.
        #expect(try ledger.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE type != 'alert'") } == 0)
        #expect(try ledger.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM fills") } ?? 0 > 0)
        let runs = try Self.runs(in: folder, "run")
        #expect(runs.map { $0["entrant"] as? String } == ["fake/aware", "fake/aware", "fake/default", "fake/default", "hold-btc", "hold-btc", "random", "random"])
        #expect(runs.allSatisfy { $0["failure"] == nil || $0["failure"] is NSNull }, "\(runs.map { $0["failure"] ?? "" })")
        // Nine hourly decisions per model entrant and repeat (the first step, then each hour of the eight).
        let modelRuns = runs.filter { ($0["model"] as? String) == "fake" }
        #expect(modelRuns.allSatisfy { ($0["decisions"] as? Int ?? 0) >= 8 })
        #expect(modelRuns.contains { ($0["closedTradePnL"] as? [Any])?.isEmpty == false })
        #expect(runs.allSatisfy { ($0["hourlyEquity"] as? [Any])?.count ?? 0 >= 8 })
        let calls = try await provider.requests(channel).count
        let recorded = try String(contentsOf: folder.file("run/responses.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(calls > 0 && recorded.count == calls)

        // The rerun calls nothing and reproduces the ledgers and the results byte for byte.
        let rerun = try await Self.arena(["season", "rerun", folder.path("season.json"), "--responses", folder.path("run/responses.jsonl"),
                                          "--out", folder.path("rerun")])
        #expect(rerun.status == 0, "\(rerun.error)")
        #expect(try await provider.requests(channel).count == calls)
        #expect(try Data(contentsOf: folder.file("rerun/ledger.sha256")) == Data(contentsOf: folder.file("run/ledger.sha256")))
        #expect(try Data(contentsOf: folder.file("rerun/results.json")) == Data(contentsOf: folder.file("run/results.json")))
        #expect(try Data(contentsOf: folder.file("rerun/runs.json")) == Data(contentsOf: folder.file("run/runs.json")))

        // A changed entrant list: the model's variants still find their answers; a new variant has none and fails, said plainly.
        let changed = Self.modelEntrant("fake", baseURL: provider.baseURL(channel), prompts: ["default"])
        let newcomer = Self.modelEntrant("other", baseURL: provider.baseURL(channel), prompts: ["default"])
        try Self.season(name: "s1", entrants: [changed, newcomer]).write(to: folder.file("changed.json"), atomically: true, encoding: .utf8)
        let partial = try await Self.arena(["season", "rerun", folder.path("changed.json"), "--responses", folder.path("run/responses.jsonl"),
                                            "--out", folder.path("partial")])
        #expect(partial.status == 0, "\(partial.error)")
        #expect(try await provider.requests(channel).count == calls)
        let partialRuns = try Self.runs(in: folder, "partial")
        let before = runs.filter { ($0["entrant"] as? String) == "fake/default" }
        let after = partialRuns.filter { ($0["entrant"] as? String) == "fake/default" }
        #expect(after.count == 2 && after.allSatisfy { $0["failure"] == nil || $0["failure"] is NSNull })
        #expect(after.map { $0["hourlyEquity"] as? [[String: Any]] ?? [] }.map { $0.map { "\($0["equity"] ?? "")" } }
                == before.map { $0["hourlyEquity"] as? [[String: Any]] ?? [] }.map { $0.map { "\($0["equity"] ?? "")" } })
        let other = partialRuns.filter { ($0["entrant"] as? String) == "other/default" }
        #expect(other.count == 2 && other.allSatisfy { ($0["failure"] as? String)?.contains("no recorded answer") == true })
    }

    @Test func aModelWhoseProviderIsDownFailsItsRepeatsAndTheOthersStand() async throws {
        let provider = try await FakeProvider.shared()
        let channel = "seasondown\(UInt32.random(in: 0...UInt32.max))"
        try await provider.script(channel, [], otherwise: FakeProvider.Step(status: 503, body: #"{"error": "overloaded"}"#))
        let folder = try TemporaryFolder(prefix: "season")
        try Self.replayCSV().write(to: folder.file("market.csv"), atomically: true, encoding: .utf8)
        let down = Self.modelEntrant("down", baseURL: provider.baseURL(channel), prompts: ["default"], interval: 14_400)
        try Self.season(name: "s2", entrants: [down, Self.holdBTC]).write(to: folder.file("season.json"), atomically: true, encoding: .utf8)

        let run = try await Self.arena(["season", "run", folder.path("season.json"), "--out", folder.path("out")])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("2 failed runs"))
        let runs = try Self.runs(in: folder, "out")
        let failed = runs.filter { ($0["entrant"] as? String) == "down/default" }
        #expect(failed.count == 2 && failed.allSatisfy { ($0["failure"] as? String)?.contains("decisions failed") == true })
        let held = runs.filter { ($0["entrant"] as? String) == "hold-btc" }
        #expect(held.count == 2 && held.allSatisfy { $0["failure"] == nil || $0["failure"] is NSNull })
    }

    @Test func badSeasonFilesAreRefusedWithWhatToFix() async throws {
        let folder = try TemporaryFolder(prefix: "season")
        try Self.replayCSV().write(to: folder.file("market.csv"), atomically: true, encoding: .utf8)
        let model = Self.modelEntrant("fake", baseURL: "http://127.0.0.1:9/v1", prompts: ["nonexistent"])
        let cases: [(String, String, String)] = [
            ("unknown", Self.season(name: "s3", entrants: [Self.holdBTC]).replacingOccurrences(of: #""seed""#, with: #""sead""#), "unknown field sead"),
            ("missing", Self.season(name: "s3", entrants: [Self.holdBTC], market: "nowhere.csv"), "does not exist"),
            ("variant", Self.season(name: "s3", entrants: [model]), "no prompt variant \"nonexistent\""),
            ("repeats", Self.season(name: "s3", entrants: [Self.holdBTC], repeats: 0), "repeats must be 1 to 1000"),
            ("coin", Self.season(name: "s3", entrants: [#"{"name": "hold-sol", "driver": {"kind": "buy_and_hold", "symbol": "SOL"}}"#]), "symbols"),
            ("json", "{\"name\": ", "not a JSON season file"),
        ]
        for (name, text, expected) in cases {
            try text.write(to: folder.file("\(name).json"), atomically: true, encoding: .utf8)
            let result = try await Self.arena(["season", "run", folder.path("\(name).json"), "--out", folder.path("out-\(name)")])
            #expect(result.status != 0, "\(name) was accepted")
            #expect(result.error.contains(expected), "\(name): \(result.error)")
            #expect(!FileManager.default.fileExists(atPath: folder.path("out-\(name)/runs.json")))
        }
    }

    @Test func aResponsesFileWithABadLineIsRefusedNamingTheFirstOne() async throws {
        let folder = try TemporaryFolder(prefix: "season")
        try Self.replayCSV().write(to: folder.file("market.csv"), atomically: true, encoding: .utf8)
        try Self.season(name: "s4", entrants: [Self.holdBTC]).write(to: folder.file("s4.json"), atomically: true, encoding: .utf8)
        // Long enough to be decoded in several slices side by side; the two bad lines fall in later ones.
        var lines = (1...4_000).map { #"{"entrant": "m", "repeat": 0, "step": \#($0), "call": 0, "prompt_sha256": "ab", "reply": {"text": "hold"}}"# }
        lines[2_499] = #"{"entrant": "m", "repeat": 0}"#
        lines[3_499] = "not json"
        try (lines.joined(separator: "\n") + "\n").write(to: folder.file("responses.jsonl"), atomically: true, encoding: .utf8)
        let result = try await Self.arena(["season", "rerun", folder.path("s4.json"), "--responses", folder.path("responses.jsonl"),
                                           "--out", folder.path("out")])
        #expect(result.status != 0)
        #expect(result.error.contains("responses.jsonl:2500: not a recorded response"), "\(result.error)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("out/runs.json")))
    }
}
