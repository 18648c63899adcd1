import Arena
import ArenaCore
import ArenaTestSupportLedger
import ArgumentParser
import Foundation
import Logging
import Market
import ServiceLifecycle
import Storage

/// `arena-bench soak`: weeks of market time in minutes. The real `ArenaRuntime` runs as fast as
/// its accounts decide on a seeded simulation with long steps, with `LedgerUpkeep` pruning the
/// feed and downsampling snapshots as `arena serve` does. Prints, as it goes, the market day, the
/// database's size, the resident memory and the open descriptors; at the end one JSON line.
struct SoakBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak",
                                                    abstract: "An accelerated run of many accounts over weeks of market time, retention on.")

    @Option(help: "Accounts (seeded random traders on BTC, ETH and SOL).")
    var accounts = 100

    @Option(help: "Days of market time to run.")
    var days = 30

    @Option(name: .customLong("decision-interval"), help: "Seconds of market time between one account's decisions.")
    var decisionInterval = 300

    @Option(name: .customLong("step"), help: "Seconds of market time per market update.")
    var stepSeconds = 60

    @Option(name: .customLong("snapshot-interval"), help: "Seconds of market time between equity snapshots.")
    var snapshotInterval = 60

    @Option(name: .customLong("snapshot-bucket"), help: "Seconds of market time each downsampled bucket of old snapshots stands for (arena serve: 300 with 5 s snapshots).")
    var snapshotBucket = 900

    @Option(name: .customLong("events-retention-days"), help: "Days of market time the feed keeps.")
    var eventsRetentionDays = 7

    @Option(name: .customLong("sample-seconds"), help: "Wall seconds between two samples of size, memory and descriptors.")
    var sampleSeconds = 15

    @Option(help: "Folder for the benchmark's database.")
    var folder = "data/bench"

    func validate() throws {
        guard accounts > 0, days > 0, decisionInterval > 0, stepSeconds > 0, snapshotInterval > 0, eventsRetentionDays > 0, sampleSeconds > 0 else {
            throw ValidationError("counts and times must be positive")
        }
    }

    struct Sample: Encodable {
        let wall_s: Int
        let market_day: Double
        let db_mb: Double
        let rss_mb: Double
        let fds: Int
    }

    func run() async throws {
        guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
        let test = try TestLedger(prefix: "soak", in: URL(fileURLWithPath: folder), migrations: migrations)
        defer { withExtendedLifetime(test) {} }
        let ledger = LedgerStore(database: test.database)
        var logger = Logger(label: "soak")
        logger.logLevel = .error
        let start = Timestamp(milliseconds: 1_767_225_600_000)
        let end = start.milliseconds + Int64(days) * 86_400_000
        let source = try SimulatedMarket(seed: 42, start: start, stepMilliseconds: Int64(stepSeconds) * 1_000)
        let runtime = try ArenaRuntime(
            ledger: ledger, source: source,
            configuration: ArenaConfiguration(pacing: .asFastAsPossible, snapshotIntervalMilliseconds: Int64(snapshotInterval) * 1_000),
            logger: logger, drivers: DriverEnvironment(llm: nil, localModel: nil, variables: [:]))
        let symbols = ["BTC", "ETH", "SOL"].compactMap(Symbol.init)
        try runtime.apply(Roster(accounts: (1...accounts).map { index in
            Roster.Entry(name: "random-\(index)", driver: DriverSettings(kind: .random, seed: UInt64(index), intervalSeconds: decisionInterval),
                         symbols: symbols, initial_capital: 10_000, risk_limits: RiskLimits(max_leverage: 5), mode: nil)
        }), environment: [:])
        // Passes every two wall seconds: at this speed a wall minute is days of market time.
        let upkeep = LedgerUpkeep(ledger: ledger, eventsRetentionDays: eventsRetentionDays,
                                  snapshotBucketMilliseconds: Int64(snapshotBucket) * 1_000, interval: .seconds(2), logger: logger)
        FileHandle.standardError.write(Data("\(accounts) accounts deciding every \(decisionInterval) s of market time, \(days) days, steps of \(stepSeconds) s...\n".utf8))

        let group = ServiceGroup(configuration: .init(services: [.init(service: upkeep), .init(service: runtime)],
                                                      gracefulShutdownSignals: [], logger: logger))
        let began = ContinuousClock.now
        var samples: [Sample] = []
        func sample() throws {
            let marketTime = runtime.latestMarket?.time.milliseconds ?? start.milliseconds
            let stats = try test.database.statistics()
            let entry = Sample(wall_s: Int((ContinuousClock.now - began).components.seconds),
                               market_day: Double(marketTime - start.milliseconds) / 86_400_000,
                               db_mb: Double(stats.file_bytes + stats.wal_bytes) / 1_048_576,
                               rss_mb: residentMegabytes(), fds: openDescriptors())
            samples.append(entry)
            FileHandle.standardError.write(Data(String(format: "wall %5d s  market day %6.2f  db %7.1f MB  rss %6.1f MB  fds %d\n",
                                                       entry.wall_s, entry.market_day, entry.db_mb, entry.rss_mb, entry.fds).utf8))
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var nextSample = ContinuousClock.now
            while (runtime.latestMarket?.time.milliseconds ?? 0) < end {
                if ContinuousClock.now >= nextSample {
                    try sample()
                    nextSample = ContinuousClock.now + .seconds(sampleSeconds)
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let wall = ContinuousClock.now - began
        upkeep.runPass()
        try sample()
        let stats = try test.database.statistics()
        let decisions = try ledger.count("decisions")
        let snapshots = try ledger.count("account_snapshots")
        let events = try ledger.count("events")
        let eventsMegabytes = Double(stats.tables.first { $0.name == "events" }?.bytes ?? 0) / 1_048_576
        let rss = samples.map(\.rss_mb)
        let fds = samples.map(\.fds)
        // Past the first day, once every table has reached its steady shape.
        let steady = samples.filter { $0.market_day >= 1 }
        print(String(format: #"{"benchmark":"soak","accounts":%d,"days":%d,"decision_interval_s":%d,"step_s":%d,"snapshot_interval_s":%d,"#
                     + #""snapshot_bucket_s":%d,"events_retention_days":%d,"wall_s":%d,"decisions":%d,"snapshots_kept":%d,"events_kept":%d,"events_mb":%.1f,"#
                     + #""db_file_mb":%.1f,"db_free_pages":%d,"rss_mb":{"min":%.1f,"max":%.1f,"steady_min":%.1f,"steady_max":%.1f},"#
                     + #""fds":{"min":%d,"max":%d,"steady_min":%d,"steady_max":%d},"peak_rss_mb":%.1f}"#,
                     accounts, days, decisionInterval, stepSeconds, snapshotInterval, snapshotBucket, eventsRetentionDays, Int(wall.components.seconds),
                     decisions, snapshots, events, eventsMegabytes, Double(stats.file_bytes) / 1_048_576, stats.free_pages,
                     rss.min() ?? 0, rss.max() ?? 0, steady.map(\.rss_mb).min() ?? 0, steady.map(\.rss_mb).max() ?? 0,
                     fds.min() ?? 0, fds.max() ?? 0, steady.map(\.fds).min() ?? 0, steady.map(\.fds).max() ?? 0, peakResidentMegabytes()))
    }
}

/// The resident set of this process now, in MiB (VmRSS), or 0 where /proc is missing.
func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (Double(line.filter(\.isNumber)) ?? 0) / 1024
    }
    return 0
}

/// Descriptors this process holds open now, or 0 where /proc is missing.
func openDescriptors() -> Int {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 1) - 1
}
