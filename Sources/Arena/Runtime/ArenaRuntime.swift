import ArenaCore
import Custody
import Drivers
import Foundation
import Logging
import Market
import ServiceLifecycle
import Storage
import Synchronization

/// The running arena: one market, many accounts. It wires the stages of the flow together
/// (market intake, accounts and their runners, recording, feed, leaderboard), and its `run()` is
/// the scheduler: it pulls the market source at the configured pace, feeds every account, wakes
/// each account at its own interval and takes equity snapshots.
public final class ArenaRuntime: Service, Sendable {
    /// Writes every change with its feed message.
    public let recorder: Recorder
    public let leaderboard: Leaderboard
    /// The arena-wide kill switch.
    public let tradingSwitch = TradingSwitch()
    /// The accounts and their runners.
    public let accounts: AccountService
    /// Hyperliquid for live accounts; nil when it cannot be set up.
    let liveVenue: LiveVenue?
    let vault: KeyVault?
    public let configuration: ArenaConfiguration
    /// What model drivers share: the HTTP client, prompts, prices, the local model.
    public let drivers: DriverEnvironment
    /// Where wall-clock time comes from.
    public let clock: any WallClock
    let market: MarketIntake
    let logger: Logger
    /// When the runtime was created, on the wall clock and the monotonic one (for the uptime).
    let startedAt: (wall: Timestamp, instant: ContinuousClock.Instant)
    private let stopping = Atomic<Bool>(false)
    /// Set while a pass of equity snapshots runs beside the scheduler (real-time pacing).
    private let snapshotting = Atomic<Bool>(false)
    /// How far apart the first cycles of accounts that appear together start: 5,000 accounts over 10 s.
    static let firstCycleSpacingMilliseconds: Int64 = 2
    /// Where `arena serve --record-market` writes the market as the arena sees it; nil for nowhere.
    let marketRecorder: MarketRecorder?
    /// Accounts with a decision in flight: a due account still deciding skips a cycle.
    private let deciding = Mutex<Set<AccountID>>([])

    /// Loads the accounts of `ledger` and prepares a runner for each active one.
    /// - Throws: `ArenaError` for an account whose settings cannot be read, or a storage error.
    public init(ledger: LedgerStore, source: any MarketSource, configuration: ArenaConfiguration, vault: KeyVault? = nil,
                logger: Logger, drivers: DriverEnvironment? = nil, liveVenue: LiveVenue? = nil, clock: any WallClock = SystemClock(),
                marketRecorder: MarketRecorder? = nil) throws {
        self.marketRecorder = marketRecorder
        self.vault = vault
        self.clock = clock
        startedAt = (clock.now(), ContinuousClock.now)
        self.liveVenue = liveVenue ?? (try? LiveVenue(environment: ProcessInfo.processInfo.environment, clock: clock))
        self.configuration = configuration
        self.logger = logger
        self.drivers = drivers ?? DriverEnvironment.standard(logger: logger)
        market = try MarketIntake(source: source)
        recorder = try Recorder(ledger: ledger, batchInterval: .milliseconds(configuration.feedBatchIntervalMilliseconds),
                                metrics: configuration.metrics, keepsFeed: configuration.keepsFeed)
        leaderboard = Leaderboard(keepsLines: configuration.keepsLeaderboard)
        accounts = AccountService(setup: AccountService.Setup(
            recorder: recorder, leaderboard: leaderboard, tradingSwitch: tradingSwitch, drivers: self.drivers, vault: vault,
            configuration: configuration, instruments: market.instruments, clock: clock, logger: logger))
        try accounts.startStoredAccounts()
        reportGaugesAtEachScrape()
        try restoreKillSwitch()
    }

    /// The ledger the arena records into.
    public var ledger: LedgerStore { recorder.ledger }

    /// The feed's bus.
    public var bus: EventBus { recorder.bus }

    /// Creates or updates the roster's accounts by name, then restarts their runners.
    /// - Throws: `ArenaError.invalidRoster` naming the problem, or a storage error.
    public func apply(_ roster: Roster, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try accounts.importRoster(roster, environment: environment)
    }

    /// The runner of an account, if it is running.
    public func runner(_ id: AccountID) -> AccountRunner? { accounts.runner(id) }

    /// Every running account's runner, by id.
    public var allRunners: [AccountRunner] { accounts.allRunners }

    var marketTime: Timestamp { market.latestSnapshot?.time ?? Timestamp(milliseconds: 0) }

    // MARK: Mode and kill switch

    /// Switches an account between paper and live between two of its decisions, after a preflight
    /// for live. Paper positions are closed on paper first, so the live account starts flat; going
    /// back to paper cancels the live orders, closes the live positions unless `keepPositions`, and
    /// continues the paper ledger from the live account's value. Every attempt is recorded and
    /// published as a `mode_change`.
    /// - Returns: the preflight report (empty when switching to paper) and whether it switched.
    /// - Throws: `ArenaError.notFound` for an account not running, `ArenaError.conflict` when live
    ///   trading is not configured, or a storage error.
    public func switchMode(_ id: AccountID, to mode: AccountMode, network: Network, keepPositions: Bool, actor: String)
        async throws -> (report: PreflightReport, switched: Bool) {
        guard let runner = runner(id), let record = try ledger.account(id) else {
            throw ArenaError.notFound("No running account \(id.rawValue) (archived accounts cannot trade).")
        }
        let from = await runner.mode
        let time = marketTime
        var report = PreflightReport(checks: [])
        var switched = false
        if mode == .live {
            guard let liveVenue else { throw ArenaError.conflict("Live trading is not configured on this server.") }
            let audit = VenueAuditRecorder(recorder: recorder, accountID: id, network: network, logger: logger)
            let (preflight, executor) = await liveVenue.preflight(record: record, network: network, vault: vault, logger: logger,
                                                                  audit: audit)
            report = preflight
            if let executor, preflight.passed {
                if from == .paper { _ = await runner.closeAll(origin: .system) }
                await adoptLedger(into: executor, of: id)
                _ = await runner.replaceExecutor(with: executor, network: network)
                await reportOrdersUnknownToLedger(executor, of: id)
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
            _ = await runner.replaceExecutor(with: accounts.paperExecutor(for: id, cash: value, positions: []), network: network)
            switched = true
        }
        let change = ModeChangeRecord(accountID: id, time: time, actor: actor, from: from, to: mode, network: network,
                                      switched: switched, preflight: try JSON.encode(report), reason: switched ? nil : report.reason)
        try recorder.record { transaction, feed in
            try transaction.recordModeChange(change)
            feed.append(FeedDraft(.modeChange, accountID: id, time: time, data: ModeChangeView(
                account_id: id.rawValue, from: from.rawValue, to: mode.rawValue, network: network.rawValue, switched: switched,
                reason: change.reason, checks: report.checks)))
        }
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
    /// Stored with `actor` and `reason`, so a restart keeps it engaged.
    public func engageKillSwitch(closePositions: Bool, reason: String, actor: String) async {
        tradingSwitch.engage(reason: "The kill switch is engaged: \(reason)")
        logger.critical("kill switch engaged", metadata: ["reason": "\(reason)", "actor": "\(actor)", "close_positions": "\(closePositions)"])
        recordKillSwitch(engaged: true, reason: reason, actor: actor)
        guard closePositions else { return }
        await withDiscardingTaskGroup { group in
            for runner in allRunners { group.addTask { _ = await runner.closeAll(origin: .system) } }
        }
    }

    /// Lets orders through again; stored with `actor` and `reason`.
    public func releaseKillSwitch(reason: String, actor: String) {
        tradingSwitch.release()
        logger.warning("kill switch released", metadata: ["reason": "\(reason)", "actor": "\(actor)"])
        recordKillSwitch(engaged: false, reason: reason, actor: actor)
    }

    private func recordAlert(kind: String, message: String) {
        do {
            try recorder.record([FeedDraft(.alert, time: marketTime, data: AlertView(kind: kind, message: message))])
        } catch {
            logger.error("could not record an alert", metadata: ["error": "\(error)", "alert": "\(message)"])
        }
    }

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
        guard var source = market.takeSource() else { return }
        logger.info("arena running", metadata: ["market": "\(market.description)", "accounts": "\(allRunners.count)"])
        await resumeLiveAccounts()
        await withDiscardingTaskGroup { group in
            var nextDue: [AccountID: Int64] = [:]
            var nextSnapshotAt: Int64?
            var nextRankingAt = ContinuousClock.now
            var origin: (market: Int64, wall: ContinuousClock.Instant)?
            while !isStopping {
                let snapshot: MarketSnapshot
                do {
                    guard let next = try source.next() else {
                        market.markFinished()
                        logger.info("the market source has no more data; the arena keeps serving")
                        break
                    }
                    snapshot = next
                } catch {
                    logger.error("the market source failed", metadata: ["error": "\(error)"])
                    recordAlert(kind: "market_source_down", message: "The market source failed: \(error). Prices have stopped; restart the arena.")
                    break
                }
                if let beforeStep = configuration.beforeStep { await beforeStep(snapshot.time) }
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
                do {
                    try market.ingest(snapshot, recorder: configuration.keepsFeed ? recorder : nil)
                } catch {
                    logger.error("could not record the market's prices", metadata: ["error": "\(error)"])
                }
                if let marketRecorder { record(snapshot, to: marketRecorder) }
                let runners = allRunners
                // Accounts whose coins moved past their move trigger since their last decision.
                var moved = Set<AccountID>()
                switch configuration.pacing {
                case .asFastAsPossible:
                    // Applying a step is short work: a task per account costs more than it saves,
                    // and a replay waits for every account anyway.
                    for runner in runners where await runner.apply(snapshot) { moved.insert(runner.id) }
                case .realTime:
                    moved = await withTaskGroup(of: AccountID?.self) { applying in
                        for runner in runners { applying.addTask { await runner.apply(snapshot) ? runner.id : nil } }
                        var moved = Set<AccountID>()
                        for await id in applying { if let id { moved.insert(id) } }
                        return moved
                    }
                }
                if case .realTime = configuration.pacing {
                    // Accounts seen for the first time start a few milliseconds apart, so that thousands
                    // starting together do not all build their prompts in one instant (a handful start
                    // at once). A replay keeps every first cycle at its first step.
                    var newcomers: Int64 = 0
                    for runner in runners where nextDue[runner.id] == nil {
                        nextDue[runner.id] = now + min(newcomers * Self.firstCycleSpacingMilliseconds, runner.intervalMilliseconds)
                        newcomers += 1
                    }
                }
                var due: [AccountRunner] = []
                for runner in runners where (nextDue[runner.id] ?? now) <= now || moved.contains(runner.id) {
                    let alreadyBusy = deciding.withLock { !$0.insert(runner.id).inserted }
                    if alreadyBusy {
                        // Still deciding: skip this cycle rather than queue it, and count it.
                        group.addTask { await runner.noteSkippedCycle() }
                        continue
                    }
                    nextDue[runner.id] = now + runner.intervalMilliseconds
                    due.append(runner)
                }
                let indicators = due.isEmpty ? [:] : market.indicators()
                let standings = due.isEmpty ? nil : leaderboard.rivals.table()
                switch configuration.pacing {
                case .asFastAsPossible where configuration.decidesInTurn:
                    for runner in due {
                        await runner.decide(indicators: indicators, standings: standings)
                        deciding.withLock { _ = $0.remove(runner.id) }
                    }
                case .asFastAsPossible:
                    await withDiscardingTaskGroup { decisions in
                        for runner in due {
                            decisions.addTask {
                                await runner.decide(indicators: indicators, standings: standings)
                                self.deciding.withLock { _ = $0.remove(runner.id) }
                            }
                        }
                    }
                case .realTime:
                    for runner in due {
                        group.addTask {
                            await runner.decide(indicators: indicators, standings: standings)
                            self.deciding.withLock { _ = $0.remove(runner.id) }
                        }
                    }
                }
                if configuration.keepsFeed, ContinuousClock.now >= nextRankingAt {
                    nextRankingAt = ContinuousClock.now + .seconds(1)
                    recordRanking(at: snapshot.time)
                }
                if now >= nextSnapshotAt ?? now {
                    nextSnapshotAt = now + configuration.snapshotIntervalMilliseconds
                    switch configuration.pacing {
                    case .asFastAsPossible:
                        await takeSnapshots(of: runners, at: snapshot.time)
                    case .realTime:
                        // Thousands of accounts take a few hundred milliseconds to value and store:
                        // off the loop, so that no decision starts late for it; one pass at a time.
                        if snapshotting.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
                            group.addTask {
                                await self.takeSnapshots(of: runners, at: snapshot.time)
                                self.snapshotting.store(false, ordering: .releasing)
                            }
                        }
                    }
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
        if let last = market.latestSnapshot { await takeSnapshots(of: allRunners, at: last.time, isLast: true) }
        bus.finishAll()
        await drivers.shutdown()
        logger.info("arena stopped")
    }

    private func recordRanking(at time: Timestamp) {
        do {
            try recorder.record([FeedDraft(.leaderboard, time: time, data: RankingView(ranking: leaderboard.ranked().map {
                RankingView.Line(account_id: $0.account_id, name: $0.name, equity: $0.equity, return_pct: $0.return_pct)
            }))])
        } catch {
            logger.error("could not record the ranking", metadata: ["error": "\(error)"])
        }
    }

    /// Takes every account's equity point and records them all, with their feed messages, in one transaction.
    private func takeSnapshots(of runners: [AccountRunner], at time: Timestamp, isLast: Bool = false) async {
        let withStatistics = isLast || configuration.storesStatisticsWithEverySnapshot
        var snapshots: [EquitySnapshot] = []
        snapshots.reserveCapacity(runners.count)
        for runner in runners {
            do {
                snapshots.append(try await runner.snapshot(time: time, withMessage: configuration.keepsFeed,
                                                           withStatistics: withStatistics))
            } catch {
                logger.error("could not take an equity snapshot", metadata: ["account.id": "\(runner.id)", "error": "\(error)"])
            }
        }
        guard !snapshots.isEmpty else { return }
        do {
            try recorder.record { transaction, feed in
                try transaction.insertSnapshots(snapshots.map(\.point), metrics: Dictionary(
                    snapshots.compactMap { snapshot in snapshot.statistics.map { (snapshot.point.accountID, $0) } },
                    uniquingKeysWith: { _, last in last }), now: time)
                feed += snapshots.compactMap(\.feed)
            }
        } catch {
            logger.error("could not store equity snapshots", metadata: ["error": "\(error)"])
        }
    }
}
