import ArenaCore
import Custody
import Foundation
import Hyperliquid
import JSONCore
import LLM
import Logging
import Market
import PaperExchange
import ServiceLifecycle
import Storage
import Synchronization

/// Runs a season: every repeat as a replay at `.asFastAsPossible` pacing with a fresh ledger in
/// memory (saved as `OUT/ledgers/repeat-N.sqlite` once the repeat is done), `parallelRepeats` at a
/// time, every model call recorded in (or, on a rerun, answered from) `responses.jsonl`. Then reads each entrant's outcome from the ledgers
/// and writes `season.json`, `runs.json`, `ledger.sha256` and `SeasonArtifacts`.
///
/// An entrant's repeat fails, and is reported as such rather than averaged in, when more than a
/// quarter of its decisions failed (the provider did not answer, or answered nothing usable even
/// after the repair request), when a model entrant made no decision at all, or, on a rerun, when
/// any of its calls had no recorded answer.
public struct SeasonRunner: Sendable {
    /// Where model calls go.
    public enum Models: Sendable {
        /// To `transport` (the HTTP client, or a stand-in), each call recorded in `responses.jsonl`.
        case record(any ModelTransport)
        /// Answered from a responses file; no call leaves the process.
        case replay(SeasonResponses, path: String)
    }

    /// How far a season has got, for a progress bar.
    public struct Progress: Sendable {
        /// Repeats finished.
        public var finishedRepeats: Int
        public var totalRepeats: Int
        /// The share of all the season's market time done, 0 to 1.
        public var fraction: Double
    }

    /// What a season produced.
    public struct Outcome: Sendable {
        public var runs: [SeasonEntrantRun]
        /// The canonical ledger checksum of each repeat, in order, and of them all.
        public var repeatDigests: [String]
        public var digest: String
    }

    public var plan: SeasonPlan
    public var output: URL
    public var migrations: String
    public var prompts: PromptLibrary
    public var models: Models
    /// Repeats run at once; each decides for its accounts in turn, so about one core each.
    public var parallelRepeats: Int
    /// Where `api_key_env` names are looked up.
    public var environment: [String: String]
    /// Told about the prices of models, for the model cost.
    public var prices: PriceTable
    /// Told about the model decisions' timings in each repeat (benchmarks), by repeat index.
    public var observer: (@Sendable (Int) -> (any LLMDriverObserver)?)?
    public var logger: Logger

    /// Repeats run at once unless told otherwise: all of them, up to this many. Each decides in
    /// turn (about one core) and holds its ledger in memory (about 200 MB for a year of hourly
    /// bars and 14 entrants); running them all together keeps every core busy to the end, where
    /// running them in rounds leaves cores idle in a last, partial round.
    public static let defaultParallelRepeatsLimit = 8

    /// Milliseconds of market time between equity snapshots: the season's statistics are hourly.
    static let snapshotIntervalMilliseconds: Int64 = 3_600_000
    /// An entrant's repeat fails when more than this share of its decisions failed.
    public static let failedDecisionLimit = 0.25

    public init(plan: SeasonPlan, output: URL, migrations: String, prompts: PromptLibrary, models: Models, parallelRepeats: Int? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment, prices: PriceTable = .defaults,
                observer: (@Sendable (Int) -> (any LLMDriverObserver)?)? = nil, logger: Logger) {
        self.observer = observer
        self.plan = plan
        self.output = output
        self.migrations = migrations
        self.prompts = prompts
        self.models = models
        self.parallelRepeats = max(1, parallelRepeats ?? min(plan.repeats.count, Self.defaultParallelRepeatsLimit))
        self.environment = environment
        self.prices = prices
        self.logger = logger
    }

    /// Runs every repeat and writes the season's files.
    /// - Parameter progress: Told about progress a few times a second, from any thread.
    /// - Throws: `SeasonError` when a repeat cannot start (its window holds no data, a key is
    ///   missing), or a storage error.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Outcome {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: output.appendingPathComponent("ledgers"), withIntermediateDirectories: true)
        if case .record = models {
            let missing = plan.missingKeyVariables(in: environment)
            guard missing.isEmpty else {
                throw SeasonError("the environment variables \(missing.joined(separator: ", ")) that hold the models' API keys are not set; set them, or rerun from recorded responses")
            }
        }
        let replay = try CSVReplayMarket(path: plan.marketPath)
        var spanOfRepeat: [Int: (first: Timestamp, last: Timestamp)] = [:]
        var spanOfWindow: [[Int64?]: (first: Timestamp, last: Timestamp)] = [:]
        for item in plan.repeats {
            let window = [item.start?.milliseconds, item.end?.milliseconds]
            if spanOfWindow[window] == nil {
                guard let span = try SeasonMarketSource.span(of: replay, start: item.start, end: item.end) else {
                    throw SeasonError("repeat \(item.index + 1): the market has no data in its window; widen the window")
                }
                spanOfWindow[window] = span
            }
            spanOfRepeat[item.index] = spanOfWindow[window]
        }
        let spans = spanOfRepeat
        let log: ResponsesLog?
        let responsesPath = output.appendingPathComponent("responses.jsonl").path
        switch models {
        case .record:
            log = try ResponsesLog(path: responsesPath)
        case .replay(_, let path):
            log = nil
            if URL(fileURLWithPath: path).standardizedFileURL.path != URL(fileURLWithPath: responsesPath).standardizedFileURL.path {
                try? fileManager.removeItem(atPath: responsesPath)
                try fileManager.copyItem(atPath: path, toPath: responsesPath)
            }
        }

        let positions = Dictionary(uniqueKeysWithValues: plan.repeats.map { ($0.index, MarketPosition()) })
        let finishedRepeats = FinishedRepeats()
        let totalSpan = spans.values.reduce(0.0) { $0 + Double(max(1, $1.last.milliseconds - $1.first.milliseconds)) }
        let report: @Sendable () -> Void = {
            var done = 0.0
            for (index, position) in positions {
                guard let span = spans[index], let time = position.time else { continue }
                done += Double(min(max(0, time.milliseconds - span.first.milliseconds), span.last.milliseconds - span.first.milliseconds))
            }
            progress(Progress(finishedRepeats: finishedRepeats.count.load(ordering: .relaxed), totalRepeats: plan.repeats.count,
                              fraction: totalSpan > 0 ? min(1, done / totalSpan) : 0))
        }

        var results: [Int: (runs: [SeasonEntrantRun], digest: String)] = [:]
        var runTexts: [Int: [String: [UInt8]]] = [:]
        var outcome: Outcome?
        try await withThrowingTaskGroup(of: RepeatWork.self) { group in
            let ticker = Task {
                while !Task.isCancelled {
                    report()
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { ticker.cancel() }
            var pending = plan.repeats[...]
            // Pacing needs every repeat running: one started later would hold the others back.
            let pacer = parallelRepeats >= plan.repeats.count && plan.repeats.count > 1 ? RepeatPacer(repeats: plan.repeats.map(\.index)) : nil
            func startNext() {
                guard let item = pending.popFirst(), let position = positions[item.index], let span = spans[item.index] else { return }
                group.addTask {
                    defer { pacer?.finish(item.index) }
                    let finished = try await runRepeat(item, replay: replay, start: span.first, position: position, log: log,
                                                       beforeStep: pacer?.pace(item.index, from: span.first, to: span.last),
                                                       marketDone: { pacer?.finish(item.index) })
                    finishedRepeats.count.add(1, ordering: .relaxed)
                    return .ran(item.index, finished)
                }
            }
            for _ in 0..<parallelRepeats { startNext() }
            // A finished repeat's ledger is saved, and its runs' part of runs.json encoded, while the
            // others run on: saving a year's ledger is a second of one core, encoding its runs a
            // fifth of one.
            while let work = try await group.next() {
                if case .encodedRuns(let index, let texts) = work { runTexts[index] = texts }
                guard case .ran(let index, let finished) = work else { continue }
                results[index] = (finished.runs, finished.digest)
                group.addTask {
                    try finished.ledger.save()
                    try finished.ledger.close()
                    return .done
                }
                group.addTask {
                    .encodedRuns(index, try Dictionary(finished.runs.map { ($0.entrant, try RunsFile.encode($0)) }, uniquingKeysWith: { first, _ in first }))
                }
                startNext()
                if results.count == plan.repeats.count {
                    report()
                    try log?.finish()
                    outcome = try writeSeasonFiles(results, group: &group)
                }
            }
        }
        guard let outcome else { throw SeasonError("the season ended before all of its repeats ran") }
        try RunsFile.joined(outcome.runs, texts: runTexts).write(to: output.appendingPathComponent("runs.json"))
        return outcome
    }

    /// What the tasks of a season's run finish with.
    private enum RepeatWork: Sendable {
        /// A repeat ran; its ledger is still to be saved.
        case ran(Int, FinishedRepeat)
        /// The texts in `runs.json` of a repeat's runs (`RunsFile.encode`), by entrant.
        case encodedRuns(Int, [String: [UInt8]])
        case done
    }

    /// A repeat that ran: its entrants' outcomes, its ledger's checksum and the ledger, in memory.
    private struct FinishedRepeat: Sendable {
        var runs: [SeasonEntrantRun]
        var digest: String
        var ledger: ArenaDatabase
    }

    /// Writes `ledger.sha256` and `season.json`, then adds the tasks that encode `runs.json` and
    /// write the artifacts to `group`, and returns the season's outcome.
    private func writeSeasonFiles(_ results: [Int: (runs: [SeasonEntrantRun], digest: String)],
                                  group: inout ThrowingTaskGroup<RepeatWork, any Error>) throws -> Outcome {
        let runs = results.values.flatMap(\.runs).sorted { ($0.entrant, $0.repeatIndex) < ($1.entrant, $1.repeatIndex) }
        let repeatDigests = plan.repeats.map { results[$0.index]?.digest ?? "" }
        var checksum = ""
        for (item, digest) in zip(plan.repeats, repeatDigests) { checksum += "\(digest)  ledgers/repeat-\(item.index + 1).sqlite\n" }
        let digest = TokenDigest.sha256Hex(of: checksum)
        try Data("\(digest)  season\n\(checksum)".utf8).write(to: output.appendingPathComponent("ledger.sha256"))
        try plan.fileBytes.write(to: output.appendingPathComponent("season.json"))
        let (name, folder) = (plan.name, output)
        group.addTask {
            try SeasonArtifacts.write(seasonName: name, runs: runs, to: folder)
            return .done
        }
        return Outcome(runs: runs, repeatDigests: repeatDigests, digest: digest)
    }

    /// Runs one repeat on a fresh ledger and reads back its entrants' outcomes and checksum; the
    /// ledger, still in memory, is the caller's to save. `marketDone` is called once the repeat's
    /// market has ended, before that last work.
    private func runRepeat(_ item: SeasonPlan.Repeat, replay: CSVReplayMarket, start: Timestamp, position: MarketPosition,
                           log: ResponsesLog?, beforeStep: (@Sendable (Timestamp) async -> Void)?,
                           marketDone: () -> Void) async throws -> FinishedRepeat {
        let path = output.appendingPathComponent("ledgers/repeat-\(item.index + 1).sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        // A repeat's ledger is rebuilt from scratch when its repeat did not finish: it lives in
        // memory, its transactions wait for no file, and it is saved once the repeat is done.
        let database = try ArenaDatabase(inMemorySavedTo: path)
        var isHandedOver = false
        defer { if !isHandedOver { try? database.close() } }
        _ = try Migrator(folder: migrations).migrate(database, now: 0)
        let ledger = LedgerStore(database: database)
        let deferredIndexes = try ledger.deferSeasonIndexes()

        let transport: SeasonModelTransport
        switch models {
        case .record(let inner):
            guard let log else { throw SeasonError("no responses file to record into") }
            transport = SeasonModelTransport(mode: .record(inner, log), repeatIndex: item.index)
        case .replay(let responses, _):
            transport = SeasonModelTransport(mode: .replay(responses), repeatIndex: item.index)
        }
        // A rerun sends no key anywhere; a placeholder stands in for each so that the accounts start.
        var variables = environment
        if case .replay = models {
            for name in plan.entrants.compactMap(\.driver.api_key_env) where (variables[name] ?? "").isEmpty {
                variables[name] = "rerun-sends-no-key"
            }
        }
        let drivers = DriverEnvironment(llm: LLMServices(prompts: prompts, prices: prices, observer: observer?(item.index), transport: transport), localModel: nil,
                                        variables: variables)
        let market = replay.reseeded(item.seed)
        var paper = PaperExchangeConfiguration()
        if let taker = plan.takerFee { paper.takerFee = taker }
        if let maker = plan.makerFee { paper.makerFee = maker }
        var configuration = ArenaConfiguration(pacing: .asFastAsPossible, snapshotIntervalMilliseconds: Self.snapshotIntervalMilliseconds,
                                               seed: item.seed, paper: paper)
        configuration.keepsFeed = false
        configuration.keepsLeaderboard = false
        configuration.decidesInTurn = true
        configuration.storesStatisticsWithEverySnapshot = false
        configuration.beforeStep = beforeStep
        let runtime = try ArenaRuntime(
            ledger: ledger, source: SeasonMarketSource(replay: market, start: item.start, end: item.end, position: position),
            configuration: configuration,
            logger: logger, drivers: drivers, clock: FrozenClock(time: start))
        try runtime.apply(roster(for: item), environment: variables)
        let accounts = try ledger.seasonAccounts()
        for account in accounts { transport.name(account.accountID, as: account.name) }
        let running = Set(runtime.allRunners.map(\.id))
        let missingAccounts = accounts.filter { !running.contains($0.accountID) }.map(\.name)
        guard missingAccounts.isEmpty else {
            throw SeasonError("repeat \(item.index + 1): \(missingAccounts.joined(separator: ", ")) could not start; see the log")
        }

        let group = ServiceGroup(configuration: .init(services: [.init(service: runtime)], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while !runtime.marketFinished { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        // The repeat's last work (indexes, read-back, checksum) holds no other repeat back.
        marketDone()

        try ledger.restore(deferredIndexes)
        let outcomes = try ledger.seasonAccounts()
        let missing = transport.missingAnswers
        var runs: [SeasonEntrantRun] = []
        for entrant in plan.entrants {
            guard let account = outcomes.first(where: { $0.name == entrant.name }) else { continue }
            runs.append(Self.run(of: entrant, account: account, repeat: item, missingAnswers: missing[entrant.name] ?? 0))
        }
        let checksum = try ledger.canonicalChecksum()
        isHandedOver = true
        return FinishedRepeat(runs: runs, digest: checksum, ledger: database)
    }

    /// The roster of one repeat: every entrant a paper account with the season's capital and
    /// realism; random traders seeded anew in each repeat.
    private func roster(for item: SeasonPlan.Repeat) -> Roster {
        Roster(accounts: plan.entrants.map { entrant in
            var driver = entrant.driver
            if driver.kind == .random {
                driver.seed = (driver.seed ?? SeededGenerator.seed(label: entrant.name)) &+ item.seed &* 0x9E37_79B9_7F4A_7C15
            }
            return Roster.Entry(name: entrant.name, driver: driver, symbols: entrant.symbols, initial_capital: plan.initialCapital,
                                risk_limits: entrant.riskLimits, mode: .paper, realism: plan.realism)
        })
    }


    /// One entrant's outcome in one repeat, from its ledger.
    static func run(of entrant: SeasonPlan.Entrant, account: SeasonAccountLedger, repeat item: SeasonPlan.Repeat,
                    missingAnswers: Int) -> SeasonEntrantRun {
        var failure: String?
        if missingAnswers > 0 {
            failure = "\(missingAnswers) model calls had no recorded answer in the responses file (this entrant's prompts differ from the run's)"
        } else if entrant.isModel, account.decisions == 0 {
            failure = "no decision was made"
        } else if account.decisions > 0, Double(account.failedDecisions) > Double(account.decisions) * failedDecisionLimit {
            failure = "\(account.failedDecisions) of \(account.decisions) decisions failed (more than a quarter): the provider was down or its answers unusable"
        }
        return SeasonEntrantRun(
            entrant: entrant.name, model: entrant.model, variant: entrant.variant, repeatIndex: item.index, seed: item.seed, failure: failure,
            initialCapital: account.initialCapital, hourlyEquity: hourly(account.equity, initial: account.initialCapital),
            closedTradePnL: account.closedTradePnL, fees: account.feesPaid, modelCostUSD: account.modelCostUSD,
            decisions: account.decisions, failedDecisions: account.failedDecisions)
    }

    /// The initial capital at the first snapshot's time, then the equity at every whole hour of
    /// market time after it (the newest snapshot at or before that hour), up to the last snapshot.
    static func hourly(_ snapshots: [(time: Timestamp, equity: FixedDecimal)], initial: FixedDecimal) -> [SeasonEntrantRun.EquityPoint] {
        guard let first = snapshots.first, let last = snapshots.last else { return [] }
        let hour = HourlyReturns.hourMilliseconds
        var points = [SeasonEntrantRun.EquityPoint(time: first.time, equity: initial)]
        var next = (first.time.milliseconds / hour + 1) * hour
        var index = 0
        while next <= last.time.milliseconds {
            while index + 1 < snapshots.count, snapshots[index + 1].time.milliseconds <= next { index += 1 }
            points.append(SeasonEntrantRun.EquityPoint(time: Timestamp(milliseconds: next), equity: snapshots[index].equity))
            next += hour
        }
        return points
    }
}

/// How many repeats have finished, for the progress bar.
private final class FinishedRepeats: Sendable {
    let count = Atomic<Int>(0)
}

/// `runs.json`: every entrant's run of every repeat, compact (a year's hourly equity of every
/// entrant and repeat is tens of megabytes), each run encoded on its own (a repeat's as soon as it
/// finishes). The file is the JSON array of the runs, byte for byte as if encoded whole: a compact
/// array's text is its elements' texts joined by commas within brackets.
enum RunsFile {
    private static let encoder = JSONTextEncoder(sortedKeys: true, escapesSlashes: false)

    /// The text of one run, as an element of the file's array.
    static func encode(_ run: SeasonEntrantRun) throws -> [UInt8] {
        try encoder.encodeBytes(run)
    }

    /// The file of `runs` in their order, taking each run's text from `texts` (by repeat index,
    /// then entrant) where `encode` made it already.
    static func joined(_ runs: [SeasonEntrantRun], texts: [Int: [String: [UInt8]]]) throws -> Data {
        var file = Data(capacity: texts.values.reduce(2) { $0 + $1.values.reduce(0) { $0 + $1.count + 1 } })
        file.append(UInt8(ascii: "["))
        for (place, run) in runs.enumerated() {
            if place > 0 { file.append(UInt8(ascii: ",")) }
            file.append(contentsOf: try texts[run.repeatIndex]?[run.entrant] ?? encode(run))
        }
        file.append(UInt8(ascii: "]"))
        return file
    }
}
