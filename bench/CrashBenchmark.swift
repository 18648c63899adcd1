import ArenaCore
import ArenaTestSupport
import ArgumentParser
import Foundation
import Storage
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `arena-bench crash`: many paper accounts trading as fast as the simulation goes in a real
/// `arena serve` process, killed with SIGKILL at random moments and restarted on the same
/// database; after each kill and restart the ledger's invariants are checked and printed.
struct CrashBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash",
        abstract: "SIGKILL a trading arena at random moments, restart it on the same database, and check the ledger's invariants each time.")

    @Option(help: "How many times to kill and restart the arena.")
    var kills = 100
    @Option(help: "How many random traders (paper, deciding every market second).")
    var accounts = 12
    @Option(help: "The seed of the kill moments and of the traders.")
    var seed: UInt64 = 1
    @Option(name: .customLong("min-ms"), help: "The shortest run before a kill, in milliseconds (after the arena answers).")
    var minimumMilliseconds = 150
    @Option(name: .customLong("max-ms"), help: "The longest run before a kill, in milliseconds.")
    var maximumMilliseconds = 1_500
    @Option(help: "The arena executable (default: the one built beside arena-bench).")
    var arena: String?
    @Option(name: .customLong("known-failing"),
            help: "An invariant that may fail without failing the run (repeatable), e.g. resting_orders_live before the paper engine restores its orders.")
    var knownFailing: [String] = []

    func validate() throws {
        guard kills >= 1 else { throw ValidationError("--kills must be at least 1.") }
        guard (1...200).contains(accounts) else { throw ValidationError("--accounts must be 1 to 200.") }
        guard minimumMilliseconds >= 0, maximumMilliseconds >= minimumMilliseconds else {
            throw ValidationError("--min-ms must be at least 0 and at most --max-ms.")
        }
        let unknown = Set(knownFailing).subtracting(CrashHarness.invariantNames)
        guard unknown.isEmpty else {
            throw ValidationError("--known-failing takes \(CrashHarness.invariantNames.joined(separator: ", ")); not \(unknown.sorted().joined(separator: ", ")).")
        }
    }

    func run() async throws {
        guard let executable = arena.map({ URL(fileURLWithPath: $0) }) ?? builtProduct("arena") else {
            throw BenchError("the arena executable is not built beside arena-bench: run swift build, or pass --arena PATH")
        }
        guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
        let harness = CrashHarness(executable: executable, migrations: migrations, staticFolder: packageFile("static").path,
                                   accounts: accounts, seed: seed,
                                   runMilliseconds: minimumMilliseconds...maximumMilliseconds)
        let report = try await harness.run(kills: kills) { print($0) }
        print(report.summaryJSON)
        let failing = report.failingInvariants.subtracting(knownFailing)
        if !failing.isEmpty {
            throw BenchError("invariants broken: \(failing.sorted().joined(separator: ", "))")
        }
    }
}

/// The crash harness itself, shared by `arena-bench crash` and its test.
struct CrashHarness: Sendable {
    let executable: URL
    let migrations: String
    let staticFolder: String
    let accounts: Int
    let seed: UInt64
    let runMilliseconds: ClosedRange<Int>

    /// The ledger's invariants (`LedgerStore.checkInvariants`), then the ones checked through the
    /// running arena's API.
    static let invariantNames = ["cash", "running_totals", "positions", "order_fills", "feed_seq", "resting_orders_live", "trading_resumes"]

    static let token = "crash-harness-\(UUID().uuidString)"

    struct Report: Sendable {
        var kills = 0
        /// Per invariant: how many checks held and how many failed.
        var held: [String: Int] = [:]
        var failed: [String: Int] = [:]
        var firstViolation: [String: String] = [:]
        var lastSeq: Int64 = 0
        var fills = 0
        var orders = 0
        var restartSeconds: [Double] = []
        var seconds = 0.0

        var failingInvariants: Set<String> { Set(failed.filter { $0.value > 0 }.keys) }

        mutating func note(_ name: String, holds: Bool, violation: @autoclosure () -> String) {
            if holds {
                held[name, default: 0] += 1
            } else {
                failed[name, default: 0] += 1
                if firstViolation[name] == nil { firstViolation[name] = violation() }
            }
        }

        var summaryJSON: String {
            let sortedRestarts = restartSeconds.sorted()
            let median = sortedRestarts.isEmpty ? 0 : sortedRestarts[sortedRestarts.count / 2]
            let invariants = CrashHarness.invariantNames.map { name in
                "\"\(name)\": {\"held\": \(held[name] ?? 0), \"failed\": \(failed[name] ?? 0)}"
            }.joined(separator: ", ")
            return """
                {"benchmark": "crash", "kills": \(kills), "last_seq": \(lastSeq), "fills": \(fills), "orders": \(orders), \
                "median_restart_s": \(String(format: "%.2f", median)), "seconds": \(String(format: "%.1f", seconds)), "invariants": {\(invariants)}}
                """
        }
    }

    /// A roster of random traders on three coins, deciding every market second.
    var roster: String {
        let coins = [["BTC", "ETH"], ["BTC", "SOL"], ["ETH", "SOL"], ["BTC", "ETH", "SOL"]]
        let entries = (1...accounts).map { index in
            let symbols = coins[index % coins.count].map { "\"\($0)\"" }.joined(separator: ", ")
            return """
                {"name": "crash\(index)", "driver": {"kind": "random", "seed": \(seed &+ UInt64(index)), "interval_seconds": 1}, \
                "symbols": [\(symbols)], "initial_capital": "10000"}
                """
        }
        return "{\"accounts\": [\n" + entries.joined(separator: ",\n") + "\n]}"
    }

    /// Kills and restarts the arena `kills` times; `log` gets one line per kill.
    func run(kills: Int, log: (String) -> Void) async throws -> Report {
        let folder = try TemporaryFolder(prefix: "arena-crash-bench")
        let rosterPath = folder.path("roster.json")
        try Data(roster.utf8).write(to: URL(fileURLWithPath: rosterPath))
        let database = folder.path("arena.sqlite")
        var random = SeededGenerator(seed: seed)
        var report = Report()
        let started = ContinuousClock.now
        var lastSeq: Int64 = 0
        for kill in 1...kills {
            let restartStarted = ContinuousClock.now
            let arena = try await start(database: database, roster: rosterPath, folder: folder)
            let resumed = try await waitForTrading(arena, after: report.fills)
            report.restartSeconds.append(Self.seconds(since: restartStarted))
            if kill > 1 {
                report.note("trading_resumes", holds: resumed, violation: "kill \(kill - 1): no new fill within 30 s of the restart")
                // What the ledger holds as resting must be live in the engine right after the restart.
                let (missing, open) = try await restingCheck(arena)
                report.note("resting_orders_live", holds: missing.isEmpty,
                            violation: "kill \(kill - 1): \(missing.count) of \(open) resting orders not in the engine, e.g. \(missing.first ?? "")")
            }
            // Leave resting orders and triggers for the next restart to find.
            try await placeRestingOrders(arena, random: &random)
            let wait = Int.random(in: runMilliseconds, using: &random)
            try await Task.sleep(for: .milliseconds(wait))
            await arena.process.crash()

            let ledger = LedgerStore(database: try ArenaDatabase(path: database))
            let invariants = try ledger.checkInvariants()
            for invariant in invariants {
                report.note(invariant.name, holds: invariant.holds, violation: "kill \(kill): \(invariant.violations.first ?? "")")
            }
            lastSeq = try ledger.lastEventSeq()
            report.lastSeq = lastSeq
            report.fills = try ledger.count("fills")
            report.orders = try ledger.count("orders")
            report.kills = kill
            let verdicts = invariants.map { "\($0.name) \($0.holds ? "ok" : "FAILED")" }.joined(separator: ", ")
            log("kill \(kill) after \(wait) ms: seq \(lastSeq), \(report.orders) orders, \(report.fills) fills; \(verdicts)"
                + (kill > 1 ? "; resting orders live \(report.failed["resting_orders_live", default: 0] == 0 ? "ok" : "FAILED so far")" : ""))
        }
        // One more restart, to check the state the last kill left.
        let arena = try await start(database: database, roster: rosterPath, folder: folder)
        let resumed = try await waitForTrading(arena, after: report.fills)
        report.note("trading_resumes", holds: resumed, violation: "last kill: no new fill within 30 s of the restart")
        let (missing, open) = try await restingCheck(arena)
        report.note("resting_orders_live", holds: missing.isEmpty,
                    violation: "last kill: \(missing.count) of \(open) resting orders not in the engine, e.g. \(missing.first ?? "")")
        _ = await arena.process.stop()
        report.seconds = Self.seconds(since: started)
        for name in Self.invariantNames where report.failed[name, default: 0] > 0 {
            log("\(name): failed \(report.failed[name] ?? 0) times; first: \(report.firstViolation[name] ?? "")")
        }
        return report
    }

    struct RunningArena {
        let process: ChildProcess
        let port: Int
    }

    func start(database: String, roster: String, folder: TemporaryFolder) async throws -> RunningArena {
        var environment = ProcessInfo.processInfo.environment
        for name in ["ARENA_ADMIN_TOKEN_FILE", "ARENA_ADMIN_TOKENS_FILE", "ARENA_MASTER_KEY", "ARENA_MASTER_KEY_FILE"] {
            environment.removeValue(forKey: name)
        }
        environment["ARENA_ADMIN_TOKEN"] = Self.token
        let process = try ChildProcess(
            executable: executable,
            arguments: ["serve", "--port", "0", "--db", database, "--migrations", migrations, "--static", staticFolder,
                        "--market", "sim", "--seed", "\(seed)", "--speed", "max", "--config", roster, "--snapshot-interval", "1",
                        "--log-level", "error"],
            environment: environment, directory: folder.url, errorOutput: .mergedIntoOutput)
        let port = await process.waitForOutput(timeout: .seconds(60)) { text -> Int? in
            guard let range = text.range(of: "arena listening on http://127.0.0.1:") else { return nil }
            return Int(text[range.upperBound...].prefix { $0.isNumber })
        }
        guard let port else {
            process.terminate()
            throw BenchError("arena serve did not start listening; its output:\n\(process.output.suffix(4_000))")
        }
        return RunningArena(process: process, port: port)
    }

    /// Waits until the accounts have more fills than `fills` (what the ledger held at the kill),
    /// on the leaderboard the restarted arena serves; false after 30 s.
    func waitForTrading(_ arena: RunningArena, after fills: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let (_, board) = try await request(arena, "GET", "/api/leaderboard")
            let trades = (board["entries"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["trades"] as? Int ?? 0) }
            if trades > fills { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Every running account's ledger-open orders that the engine does not hold.
    func restingCheck(_ arena: RunningArena) async throws -> (missing: [String], open: Int) {
        var missing: [String] = []
        var open = 0
        for account in 1...accounts {
            let (status, check) = try await request(arena, "GET", "/api/accounts/\(account)/open-orders/check", token: Self.token)
            guard status == 200 else { throw BenchError("open-orders check of account \(account) answered \(status): \(check)") }
            missing += check["missing_in_engine"] as? [String] ?? []
            open += check["ledger_open"] as? Int ?? 0
        }
        return (missing, open)
    }

    /// Places a resting limit far from the price and a small entry with a stop-loss and a
    /// take-profit on a few accounts, through the operators' API; refusals (a busy account's
    /// limits, the minimum order value) are part of trading and are ignored.
    func placeRestingOrders(_ arena: RunningArena, random: inout SeededGenerator) async throws {
        let (_, markets) = try await request(arena, "GET", "/api/markets")
        let mids = Dictionary((markets["markets"] as? [[String: Any]] ?? []).compactMap { market -> (String, Double)? in
            guard let symbol = market["symbol"] as? String, let mid = (market["mid"] as? String).flatMap(Double.init) else { return nil }
            return (symbol, mid)
        }, uniquingKeysWith: { first, _ in first })
        guard let btc = mids["BTC"], btc > 0 else { return }
        for _ in 0..<3 {
            let account = Int.random(in: 1...accounts, using: &random)
            let below = (btc * 0.5).rounded()
            _ = try await request(arena, "POST", "/api/accounts/\(account)/orders", token: Self.token,
                                  body: #"{"symbol": "BTC", "side": "buy", "type": "limit", "price": "\#(Int(below))", "size": "0.001", "tif": "Gtc"}"#)
            let stop = (btc * 0.8).rounded()
            let target = (btc * 1.2).rounded()
            _ = try await request(arena, "POST", "/api/accounts/\(account)/orders", token: Self.token,
                                  body: #"{"symbol": "BTC", "side": "buy", "size": "0.0002", "stop_loss": "\#(Int(stop))", "take_profit": "\#(Int(target))"}"#)
        }
    }

    func request(_ arena: RunningArena, _ method: String, _ path: String, token: String? = nil, body: String? = nil)
        async throws -> (Int, [String: Any]) {
        guard let url = URL(string: "http://127.0.0.1:\(arena.port)\(path)") else { throw BenchError("bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
