import ArenaCore
import Custody
import Drivers
import Foundation
import Logging
import Market
import PaperExchange
import ServiceLifecycle
import Storage
import Synchronization

/// The running arena: one market, many accounts. Its `run()` is the scheduler: it pulls the market
/// source at the configured pace, feeds every account, wakes each account at its own interval,
/// takes equity snapshots and writes the feed to the database.
public final class ArenaRuntime: Service, Sendable {
    public let ledger: LedgerStore
    /// The one writer of decisions and executions, shared by every runner, which keeps SQLite's
    /// checkpoints out of their commits.
    private let writer: LedgerWriter
    public let bus: EventBus
    public let leaderboard: Leaderboard
    /// The arena-wide kill switch.
    public let tradingSwitch = TradingSwitch()
    /// Encrypted secrets; nil when no master key is configured (then no secret can be stored).
    public let vault: KeyVault?
    /// Hyperliquid for live accounts; nil when it cannot be set up.
    public let liveVenue: LiveVenue?
    public let configuration: ArenaConfiguration
    /// What model drivers share: the HTTP client, prompts, prices, the local model.
    public let drivers: DriverEnvironment
    /// What the market is, for logs and the page banner.
    public let marketDescription: String
    private let logger: Logger
    private let instruments: [Symbol: Instrument]
    private let source: Mutex<(any MarketSource)?>
    private let runners: Mutex<[AccountID: AccountRunner]>
    private let market = Mutex<MarketSnapshot?>(nil)
    /// Candles and indicators, fed once per market update and shared by every account.
    private let marketState: Mutex<MarketState>
    private let stopping = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let flushLock = Mutex<Void>(())
    /// Accounts with a decision in flight: a due account still deciding skips a cycle.
    private let deciding = Mutex<Set<AccountID>>([])

    /// Loads the accounts of `ledger` and prepares a runner for each active one.
    /// - Throws: `ArenaError` for an account whose settings cannot be read, or a storage error.
    public init(ledger: LedgerStore, source: any MarketSource, configuration: ArenaConfiguration, vault: KeyVault? = nil,
                logger: Logger, drivers: DriverEnvironment? = nil, liveVenue: LiveVenue? = nil) throws {
        self.ledger = ledger
        writer = LedgerWriter(ledger: ledger)
        self.vault = vault
        self.liveVenue = liveVenue ?? (try? LiveVenue(environment: ProcessInfo.processInfo.environment))
        self.configuration = configuration
        self.logger = logger
        self.drivers = drivers ?? DriverEnvironment.standard(logger: logger)
        var state = MarketState()
        if let simulated = source as? SimulatedMarket {
            // Mature indicators from the first decision: a 4-hour EMA50 needs eight days of candles.
            try state.warmUp(history: simulated.history(interval: state.intradayInterval, count: 100), interval: state.intradayInterval)
            try state.warmUp(history: simulated.history(interval: state.longTermInterval, count: 100), interval: state.longTermInterval)
        }
        marketState = Mutex(state)
        marketDescription = source.description
        instruments = source.instruments
        self.source = Mutex(source)
        bus = EventBus(lastSeq: try ledger.lastEventSeq(), batchInterval: .milliseconds(configuration.feedBatchIntervalMilliseconds))
        leaderboard = Leaderboard()
        runners = Mutex([:])
        for record in try ledger.accounts() {
            try addRunner(for: record)
        }
    }

    /// Creates or updates the roster's accounts by name, then starts runners for new ones.
    public func apply(_ roster: Roster, now: Timestamp, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        // Every secret is read and checked before any account changes.
        var secrets: [String: [(SecretName, SecretValue)]] = [:]
        for entry in roster.accounts {
            guard let names = entry.secrets_env, !names.isEmpty else { continue }
            guard vault != nil else {
                throw ArenaError.invalidRoster("\(entry.name) has secrets_env, but the server has no master key (run arena keys init and set ARENA_MASTER_KEY_FILE)")
            }
            secrets[entry.name] = try names.sorted { $0.key < $1.key }.map { name, variable in
                guard let text = environment[variable], !text.isEmpty else {
                    throw ArenaError.invalidRoster("\(entry.name): the environment variable \(variable) for \(name) is not set")
                }
                do {
                    let secretName = try SecretName.accountSecret(name)
                    return (secretName, try KeyVault.validate(SecretValue(text), named: secretName).0)
                } catch let error as CustodyError {
                    throw ArenaError.invalidRoster("\(entry.name): \(error)")
                }
            }
        }
        for entry in roster.accounts {
            let settings = JSON.encode(entry.driver)
            let limits = JSON.encode(entry.risk_limits ?? .default)
            if let existing = try ledger.account(named: entry.name) {
                try ledger.updateConfiguration(of: existing.id, driverKind: entry.driver.kind.rawValue, driverSettings: settings,
                                               provider: entry.driver.provider?.rawValue, model: entry.driver.model, symbols: entry.symbols,
                                               riskLimits: limits, now: now)
            } else {
                let record = try ledger.createAccount(NewAccount(
                    name: entry.name, driverKind: entry.driver.kind.rawValue, driverSettings: settings,
                    provider: entry.driver.provider?.rawValue, model: entry.driver.model, symbols: entry.symbols,
                    mode: entry.mode ?? .paper, initialCapital: entry.initial_capital, riskLimits: limits), now: now)
                logger.info("account created", metadata: ["account.id": "\(record.id)", "account.name": "\(record.name)"])
            }
            if let vault, let given = secrets[entry.name], let record = try ledger.account(named: entry.name) {
                for (name, value) in given { _ = try vault.setSecret(value, named: name, for: record.id, now: now) }
            }
        }
        runners.withLock { $0.removeAll() }
        for record in try ledger.accounts() { try addRunner(for: record) }
    }

    /// Reads an account's risk limits.
    static func limits(of record: AccountRecord) throws -> RiskLimits {
        do {
            return try JSONDecoder().decode(RiskLimits.self, from: Data(record.riskLimits.utf8))
        } catch {
            throw ArenaError.invalidAccount("\(record.name)'s risk limits cannot be read")
        }
    }

    private func addRunner(for record: AccountRecord) throws {
        guard record.status != .archived else { return }
        let settings = try DriverFactory.settings(of: record)
        if let reason = drivers.unavailableReason(for: settings) {
            logger.warning("account skipped", metadata: ["account.id": "\(record.id)", "account.name": "\(record.name)", "reason": "\(reason)"])
            return
        }
        let driver = try DriverFactory.make(settings, for: record, environment: drivers, vault: vault)
        let limits = try Self.limits(of: record)
        var paper = configuration.paper
        paper.instruments.merge(instruments) { _, fromMarket in fromMarket }
        // A live account starts on an empty stand-in until `resumeLiveAccounts` has run its
        // preflight and reconciled it from the venue.
        let live = record.mode == .live
        let executor = PaperExecutor(configuration: paper, cash: live ? .zero : record.cash,
                                     positions: live ? [] : try ledger.positions(of: record.id),
                                     seed: configuration.seed ^ UInt64(bitPattern: record.id.rawValue))
        let runner = AccountRunner(
            record: record, driver: driver, executor: executor, limits: limits,
            intervalMilliseconds: Int64(settings.intervalSeconds) * 1000, ledger: ledger, bus: bus, leaderboard: leaderboard,
            instruments: instruments, decisionSummary: DecisionSummary(try ledger.decisionStatistics(of: record.id)),
            equityStatistics: try ledger.metrics(of: record.id).flatMap { try? JSONDecoder().decode(EquityStatistics.self, from: Data($0.utf8)) }
                ?? EquityStatistics(),
            snapshotIntervalMilliseconds: configuration.snapshotIntervalMilliseconds, tradingSwitch: tradingSwitch, writer: writer,
            logger: logger)
        runners.withLock { $0[record.id] = runner }
    }

    // MARK: Operating accounts

    /// Creates an account and starts running it from the next market step.
    /// - Throws: `StorageError.conflict` for a taken name, `ArenaError` for bad settings.
    @discardableResult
    public func createAccount(_ new: NewAccount, now: Timestamp) throws -> AccountRecord {
        let record = try ledger.createAccount(new, now: now)
        do {
            try addRunner(for: record)
        } catch {
            try? ledger.setStatus(.archived, for: record.id, now: now)
            throw error
        }
        logger.info("account created", metadata: ["account.id": "\(record.id)", "account.name": "\(record.name)"])
        return record
    }

    /// Replaces an account's driver, symbols and limits (stored, then applied between decisions).
    public func reconfigureAccount(_ id: AccountID, driverSettings: DriverSettings, symbols: [Symbol], limits: RiskLimits,
                                   now: Timestamp) async throws -> AccountRecord {
        guard var record = try ledger.account(id), record.status != .archived else { throw ArenaError.invalidAccount("no account \(id)") }
        try driverSettings.validate(symbols: symbols)
        record.driverKind = driverSettings.kind.rawValue
        record.driverSettings = JSON.encode(driverSettings)
        record.symbols = symbols
        record.riskLimits = JSON.encode(limits)
        let driver = try DriverFactory.make(driverSettings, for: record, environment: drivers, vault: vault)
        try ledger.updateConfiguration(of: id, driverKind: record.driverKind, driverSettings: record.driverSettings,
                                       provider: record.provider, model: record.model, symbols: symbols,
                                       riskLimits: record.riskLimits, now: now)
        await runner(id)?.reconfigure(record: record, driver: driver, limits: limits)
        return record
    }

    /// Closes an account's positions, then archives it: it stops trading and keeps its history.
    public func archiveAccount(_ id: AccountID) async throws {
        guard let runner = runner(id) else { throw ArenaError.invalidAccount("account \(id) is not running") }
        _ = await runner.closeAll(origin: .operator)
        await runner.changeStatus(.archived, reason: "Archived by an operator.")
        runners.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// Switches an account between paper and live between two of its decisions, after a preflight
    /// for live. Paper positions are closed on paper first, so the live account starts flat; going
    /// back to paper cancels the live orders, closes the live positions unless `keepPositions`, and
    /// continues the paper ledger from the live account's value. Every attempt is recorded and
    /// published as a `mode_change`.
    /// - Returns: the preflight report (empty when switching to paper) and whether it switched.
    public func switchMode(_ id: AccountID, to mode: AccountMode, network: Network, keepPositions: Bool, actor: String)
        async throws -> (report: PreflightReport, switched: Bool) {
        guard let runner = runner(id), let record = try ledger.account(id) else {
            throw ArenaError.invalidAccount("account \(id) is not running")
        }
        let from = await runner.mode
        let time = latestMarket?.time ?? Timestamp(milliseconds: 0)
        var report = PreflightReport(checks: [])
        var switched = false
        if mode == .live {
            guard let liveVenue else { throw ArenaError.invalidAccount("live trading is not configured on this server") }
            let (preflight, executor) = await liveVenue.preflight(record: record, network: network, vault: vault, logger: logger)
            report = preflight
            if let executor, preflight.passed {
                if from == .paper { _ = await runner.closeAll(origin: .system) }
                _ = await runner.replaceExecutor(with: executor, network: network)
                switched = true
            }
        } else {
            if from == .live {
                if keepPositions {
                    for order in await runner.openOrdersNow() { _ = await runner.cancel(order.request.clientOrderID) }
                } else {
                    _ = await runner.closeAll(origin: .system)
                }
            }
            let value = await runner.accountState().equity
            var paper = configuration.paper
            paper.instruments.merge(instruments) { _, fromMarket in fromMarket }
            let executor = PaperExecutor(configuration: paper, cash: value, positions: [], seed: configuration.seed ^ UInt64(bitPattern: id.rawValue))
            _ = await runner.replaceExecutor(with: executor, network: network)
            switched = true
        }
        let change = ModeChangeRecord(accountID: id, time: time, actor: actor, from: from, to: mode, network: network,
                                      switched: switched, preflight: JSON.encode(report), reason: switched ? nil : report.reason)
        try ledger.recordModeChange(change)
        bus.publish(.modeChange, accountID: id, time: time, data: ModeChangeView(
            account_id: id.rawValue, from: from.rawValue, to: mode.rawValue, network: network.rawValue, switched: switched,
            reason: change.reason, checks: report.checks))
        logger.notice("mode switch", metadata: ["account.id": "\(id)", "from": "\(from.rawValue)", "to": "\(mode.rawValue)",
                                                "switched": "\(switched)", "reason": "\(change.reason ?? "")"])
        return (report, switched)
    }

    /// Puts the accounts stored as live back on the venue (preflight, then reconciliation from the
    /// venue before any trade); one that fails its preflight is paused with an alert.
    private func resumeLiveAccounts() async {
        for runner in allRunners {
            guard let record = try? ledger.account(runner.id), record.mode == .live else { continue }
            let outcome = try? await switchMode(runner.id, to: .live, network: record.network, keepPositions: true, actor: "start-up")
            if outcome?.switched != true {
                await runner.changeStatus(.paused, reason: "\(record.name) is live but could not reconnect to the venue: \(outcome?.report.reason ?? "preflight failed"). Fix it and resume the account.")
            }
        }
    }

    /// Halts every new order at once; with `closePositions`, also closes every account's positions.
    public func engageKillSwitch(closePositions: Bool, reason: String) async {
        tradingSwitch.engage(reason: "The kill switch is engaged: \(reason)")
        logger.critical("kill switch engaged", metadata: ["reason": "\(reason)", "close_positions": "\(closePositions)"])
        bus.publish(.alert, time: latestMarket?.time ?? Timestamp(milliseconds: 0),
                    data: AlertView(kind: "kill_switch", message: "Kill switch engaged: \(reason)"))
        guard closePositions else { return }
        await withDiscardingTaskGroup { group in
            for runner in allRunners { group.addTask { _ = await runner.closeAll(origin: .system) } }
        }
    }

    /// Lets orders through again.
    public func releaseKillSwitch() {
        tradingSwitch.release()
        logger.warning("kill switch released")
        bus.publish(.alert, time: latestMarket?.time ?? Timestamp(milliseconds: 0),
                    data: AlertView(kind: "kill_switch", message: "Kill switch released: trading resumes."))
    }

    /// The runner of an account, if it is running.
    public func runner(_ id: AccountID) -> AccountRunner? { runners.withLock { $0[id] } }

    /// Every running account's runner, by id.
    public var allRunners: [AccountRunner] { runners.withLock { $0.sorted { $0.key < $1.key }.map(\.value) } }

    /// The newest market state.
    public var latestMarket: MarketSnapshot? { market.withLock { $0 } }

    /// Whether the market source has run out (the end of a replay).
    public var marketFinished: Bool { finished.load(ordering: .relaxed) }

    // MARK: Running

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await runScheduler()
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
        }
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// How long shutdown waits for decisions in flight before cancelling them.
    public static let shutdownGracePeriod: Duration = .seconds(5)

    /// Sleeps up to `milliseconds`, waking early when shutdown begins.
    private func pause(milliseconds: Int64) async {
        var left = milliseconds
        while left > 0, !isStopping {
            let step = min(left, 100)
            try? await Task.sleep(for: .milliseconds(step))
            left -= step
        }
    }

    private func runScheduler() async throws {
        guard var source = source.withLock({ $0.take() }) else { return }
        logger.info("arena running", metadata: ["market": "\(marketDescription)", "accounts": "\(allRunners.count)"])
        await resumeLiveAccounts()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.flushEventsUntilStopped() }
            var nextDue: [AccountID: Int64] = [:]
            var nextSnapshotAt: Int64?
            var nextRankingAt = ContinuousClock.now
            var origin: (market: Int64, wall: ContinuousClock.Instant)?
            while !isStopping {
                let snapshot: MarketSnapshot
                do {
                    guard let next = try source.next() else {
                        finished.store(true, ordering: .relaxed)
                        logger.info("the market source has no more data; the arena keeps serving")
                        break
                    }
                    snapshot = next
                } catch {
                    logger.error("the market source failed", metadata: ["error": "\(error)"])
                    break
                }
                let now = snapshot.time.milliseconds
                if case .realTime(let speed) = configuration.pacing {
                    if let origin {
                        let target = origin.wall + .milliseconds(Int64(Double(now - origin.market) / max(speed, 0.001)))
                        let wait = target - ContinuousClock.now
                        if wait > .zero {
                            await pause(milliseconds: Int64(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000))
                        }
                    } else {
                        origin = (now, ContinuousClock.now)
                    }
                    if isStopping { break }
                }
                market.withLock { $0 = snapshot }
                marketState.withLock { $0.ingest(snapshot) }
                bus.publish(.price, time: snapshot.time, data: PricesView(
                    mids: Dictionary(uniqueKeysWithValues: snapshot.quotes.map { ($0.key.name, $0.value.mid.description) }),
                    time: now))
                let runners = allRunners
                await withDiscardingTaskGroup { applying in
                    for runner in runners { applying.addTask { await runner.apply(snapshot) } }
                }
                var due: [AccountRunner] = []
                for runner in runners where (nextDue[runner.id] ?? now) <= now {
                    let alreadyBusy = deciding.withLock { !$0.insert(runner.id).inserted }
                    if alreadyBusy { continue }  // still deciding: skip this cycle rather than queue
                    nextDue[runner.id] = now + runner.intervalMilliseconds
                    due.append(runner)
                }
                let indicators = due.isEmpty ? [:] : marketState.withLock { state in
                    Dictionary(state.allIndicators().map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first })
                }
                switch configuration.pacing {
                case .asFastAsPossible:
                    await withDiscardingTaskGroup { decisions in
                        for runner in due {
                            decisions.addTask {
                                await runner.decide(indicators: indicators)
                                self.deciding.withLock { _ = $0.remove(runner.id) }
                            }
                        }
                    }
                case .realTime:
                    for runner in due {
                        group.addTask {
                            await runner.decide(indicators: indicators)
                            self.deciding.withLock { _ = $0.remove(runner.id) }
                        }
                    }
                }
                if ContinuousClock.now >= nextRankingAt {
                    nextRankingAt = ContinuousClock.now + .seconds(1)
                    bus.publish(.leaderboard, time: snapshot.time, data: RankingView(ranking: leaderboard.ranked().map {
                        RankingView.Line(account_id: $0.account_id, name: $0.name, equity: $0.equity, return_pct: $0.return_pct)
                    }))
                }
                if now >= nextSnapshotAt ?? now {
                    nextSnapshotAt = now + configuration.snapshotIntervalMilliseconds
                    await takeSnapshots(of: runners, at: snapshot.time)
                }
            }
            if !isStopping {
                // A finished replay: serve until asked to stop.
                while !isStopping { await pause(milliseconds: 500) }
            }
            // Decisions in flight get a grace period to finish; a model call still running after it
            // is cancelled (and recorded as failed) so that shutdown never waits on a slow provider.
            let graceEnds = ContinuousClock.now + Self.shutdownGracePeriod
            while !deciding.withLock({ $0.isEmpty }) && ContinuousClock.now < graceEnds {
                try? await Task.sleep(for: .milliseconds(50))
            }
            if !deciding.withLock({ $0.isEmpty }) {
                logger.warning("cancelling decisions still in flight at shutdown", metadata: ["accounts": "\(deciding.withLock { $0.count })"])
                group.cancelAll()
            }
        }
        // Every decision in flight has finished or been cancelled (the task group waited): record the end.
        if let last = latestMarket { await takeSnapshots(of: allRunners, at: last.time) }
        flushEvents()
        bus.finishAll()
        await drivers.shutdown()
        logger.info("arena stopped")
    }

    private func takeSnapshots(of runners: [AccountRunner], at time: Timestamp) async {
        var records: [SnapshotRecord] = []
        var metrics: [AccountID: String] = [:]
        records.reserveCapacity(runners.count)
        for runner in runners {
            let (record, statistics) = await runner.snapshot(time: time)
            records.append(record)
            metrics[runner.id] = statistics
        }
        do {
            try ledger.recordSnapshots(records, metrics: metrics, now: time)
        } catch {
            logger.error("could not store equity snapshots", metadata: ["error": "\(error)"])
        }
    }

    private func flushEventsUntilStopped() async {
        while !isStopping {
            await pause(milliseconds: Int64(configuration.eventFlushIntervalMilliseconds))
            flushEvents()
        }
    }

    /// Writes the feed messages published so far to the database, so a resuming client finds them.
    public func flushFeed() { flushEvents() }

    private func flushEvents() {
        // One flush at a time: a resuming client that flushes and then reads must find every
        // message published before, including those another flush has drained but not yet written.
        flushLock.withLock { _ in
            let events = bus.drainUnpersisted()
            do {
                try ledger.appendEvents(events)
            } catch {
                logger.error("could not store feed events", metadata: ["error": "\(error)", "count": "\(events.count)"])
            }
        }
    }
}
