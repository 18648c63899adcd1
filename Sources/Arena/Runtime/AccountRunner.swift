import ArenaCore
import Drivers
import Logging
import Market
import Storage

/// Runs one account. It only orchestrates the flow: ask the driver (`decide`), gate the answer
/// (`RiskEngine`), submit the orders (`OrderExecutor`) and record what happened (`Recorder`).
/// An actor, so one account's state is only ever touched by one task at a time, while accounts
/// run side by side.
public actor AccountRunner {
    public let id: AccountID
    public private(set) var record: AccountRecord
    private var driver: any Driver
    private var executor: any OrderExecutor
    private var risk: RiskEngine
    private var journal: ExecutionJournal
    private let recorder: Recorder
    private let leaderboard: Leaderboard
    private let logger: Logger

    private var orderSequence: UInt64
    private var decisionSummary: DecisionSummary
    private var equityStatistics: EquityStatistics
    private let snapshotIntervalMilliseconds: Int64
    private var callNumber = 0
    private var startedAt: Timestamp?
    private var lastMarket: MarketSnapshot?
    private var lastState: AccountState?
    /// Set while a decision runs, so an executor is only ever replaced between two decisions.
    private var isDeciding = false

    /// The decision interval in milliseconds of market time.
    public nonisolated let intervalMilliseconds: Int64

    /// Creates the runner of a stored account.
    /// - Parameters:
    ///   - limits: The account's risk limits.
    ///   - instruments: The venue's rules per symbol.
    ///   - decisionSummary: Its decisions so far (from the ledger).
    ///   - equityStatistics: Its equity curve's statistics so far (from the ledger).
    ///   - tradingSwitch: The arena-wide kill switch.
    init(record: AccountRecord, driver: any Driver, executor: any OrderExecutor, limits: RiskLimits, intervalMilliseconds: Int64,
         recorder: Recorder, leaderboard: Leaderboard, instruments: [Symbol: Instrument],
         decisionSummary: DecisionSummary = DecisionSummary(), equityStatistics: EquityStatistics = EquityStatistics(),
         snapshotIntervalMilliseconds: Int64 = 5_000, tradingSwitch: TradingSwitch = TradingSwitch(), logger: Logger) {
        id = record.id
        self.record = record
        self.driver = driver
        self.executor = executor
        risk = RiskEngine(limits: limits, instruments: instruments, highWaterMark: equityStatistics.highWaterMark,
                          tradingSwitch: tradingSwitch)
        journal = ExecutionJournal(accountID: record.id, totals: record.totals)
        self.recorder = recorder
        self.leaderboard = leaderboard
        orderSequence = record.orderSequence
        self.decisionSummary = decisionSummary
        self.equityStatistics = equityStatistics
        self.snapshotIntervalMilliseconds = snapshotIntervalMilliseconds
        self.intervalMilliseconds = intervalMilliseconds
        var logger = logger
        logger[metadataKey: "account.id"] = "\(record.id)"
        logger[metadataKey: "account.name"] = "\(record.name)"
        self.logger = logger
        self.instruments = instruments
    }

    private let instruments: [Symbol: Instrument]

    // MARK: Market

    /// Feeds a market update to the executor and records whatever it caused.
    public func apply(_ snapshot: MarketSnapshot) async {
        lastMarket = snapshot
        if startedAt == nil { startedAt = snapshot.time }
        var batch = ExecutionBatch(recorder: recorder)
        await record(await executor.apply(snapshot), in: &batch, time: snapshot.time)
        let state = await executor.state()
        lastState = state
        if let halt = risk.observe(equity: state.equity, at: snapshot.time, account: riskAccount(state)) {
            setStatus(.halted, time: snapshot.time, alert: halt)
        }
        refreshLeaderboard(state: state, time: snapshot.time)
    }

    // MARK: Decisions

    /// Asks the driver for a decision, gates it, executes it and records it all.
    /// - Parameter indicators: The shared indicators of this market update.
    public func decide(indicators: [Symbol: SymbolIndicators] = [:]) async {
        guard record.status == .active || record.status == .halted, !isDeciding, let market = lastMarket else { return }
        isDeciding = true
        defer { isDeciding = false }
        callNumber += 1
        let context = DecisionContext(
            accountID: id, accountName: record.name, time: market.time, startedAt: startedAt ?? market.time, callNumber: callNumber,
            symbols: record.symbols, market: market, account: await executor.state(), initialCapital: record.initialCapital,
            maxLeverage: risk.limits.max_leverage, instruments: instruments, indicators: indicators)
        let started = ContinuousClock.now
        let output: DriverOutput
        do {
            output = try await driver.decide(context)
        } catch let failure as DriverFailure {
            // A model call that produced no usable decision: keep its prompt, answer and cost.
            logger.warning("decision \(failure.outcome.rawValue)", metadata: ["reason": "\(failure.reason)"])
            store(DecisionRecord(failure: failure, accountID: id, driver: driver, time: market.time,
                                 latencyMilliseconds: Self.milliseconds(since: started)), justification: nil, actions: [])
            return
        } catch {
            logger.warning("decision failed", metadata: ["reason": "\(error)"])
            store(DecisionRecord(error: error, accountID: id, driver: driver, time: market.time,
                                 latencyMilliseconds: Self.milliseconds(since: started)), justification: nil, actions: [])
            return
        }
        let latency = Self.milliseconds(since: started)
        // The market may have moved while the driver thought: gate against the newest state.
        let now = lastMarket ?? market
        var decision: DecisionRecord
        do {
            decision = try DecisionRecord(answer: output, accountID: id, driver: driver, time: now.time, latencyMilliseconds: latency)
        } catch {
            logger.error("could not encode a decision", metadata: ["error": "\(error)"])
            return
        }
        let justification = output.decision.headline
        let actions = output.decision.actionSummary
        var events: [ExchangeEvent] = []
        var rejectionReason: String?
        switch risk.evaluate(.decision(output.decision), account: riskAccount(await executor.state()), market: now) {
        case .hold:
            store(decision, justification: justification, actions: actions)
        case .rejected(let reason):
            decision.outcome = .rejected
            decision.rejectionReason = reason
            rejectionReason = reason
            logger.info("decision rejected", metadata: ["reason": "\(reason)"])
            store(decision, justification: justification, actions: actions)
        case .orders(let orders):
            decision.outcome = .accepted
            events = await execute(orders, of: decision, justification: justification, actions: actions, time: now.time)
        }
        let report = ExecutionReport(
            decision: output.decision,
            orders: events.compactMap { if case .orderUpdated(let order) = $0 { order } else { nil } },
            fills: events.compactMap { if case .filled(let fill) = $0 { fill } else { nil } },
            account: await executor.state(), time: now.time, rejectionReason: rejectionReason)
        await driver.reconcile(report)
        if let state = await driver.persistentState(), state != record.driverState {
            do {
                try recorder.record { transaction, _ in try transaction.saveDriverState(state, for: id, now: now.time) }
                record.driverState = state
            } catch {
                logger.error("could not save the driver's state", metadata: ["error": "\(error)"])
            }
        }
        await refreshLeaderboard(time: now.time)
    }

    /// Stores a decision that placed no order, with its feed message.
    private func store(_ decision: DecisionRecord, justification: String?, actions: [String]) {
        do {
            try recorder.record { transaction, feed in
                let decisionID = try transaction.insertDecision(decision)
                feed.append(try decision.feedDraft(id: decisionID, justification: justification, actions: actions))
            }
            decisionSummary.add(decision)
        } catch {
            logger.error("could not store a decision", metadata: ["error": "\(error)"])
        }
    }

    /// Submits a decision's gated orders and records the decision with them, as the executor's
    /// `decisionCommit` requires; returns every event.
    private func execute(_ orders: [GatedOrder], of decision: DecisionRecord, justification: String?, actions: [String],
                         time: Timestamp) async -> [ExchangeEvent] {
        var batch: ExecutionBatch
        do {
            batch = try ExecutionBatch(decision: decision, commit: executor.decisionCommit, recorder: recorder) { decisionID in
                try decision.feedDraft(id: decisionID, justification: justification, actions: actions)
            }
        } catch {
            logger.error("could not store a decision; its orders are not sent", metadata: ["error": "\(error)"])
            return []
        }
        var events: [ExchangeEvent] = []
        for order in orders {
            events += await submit(order, origin: .driver, in: &batch, time: time)
        }
        do {
            try batch.finish()
            decisionSummary.add(decision)
        } catch {
            // Its orders were placed on the venue, but neither they nor the decision are stored.
            haltForLedgerFailure(error, time: time)
        }
        return events
    }

    /// Submits one gated order, records the outcome, places its exit triggers once it has filled,
    /// and returns every event.
    private func submit(_ gated: GatedOrder, origin: OrderOrigin, in batch: inout ExecutionBatch, time: Timestamp) async -> [ExchangeEvent] {
        let request = nextRequest(symbol: gated.symbol, side: gated.side, size: gated.size, type: gated.type,
                                  reduceOnly: gated.reduceOnly, origin: origin, time: time)
        var events = await executor.submit(request, leverage: gated.leverage, at: time)
        await record(events, in: &batch, time: time)
        let filled = events.reduce(FixedDecimal.zero) { sum, event in
            if case .filled(let fill) = event, fill.clientOrderID == request.clientOrderID { sum + fill.size } else { sum }
        }
        guard filled.isPositive else { return events }
        for (price, kind) in [(gated.takeProfit, TriggerKind.takeProfit), (gated.stopLoss, TriggerKind.stopLoss)] {
            guard let price else { continue }
            let exit = nextRequest(symbol: gated.symbol, side: gated.side.opposite, size: filled,
                                   type: .trigger(triggerPrice: price, kind: kind, limitPrice: nil), reduceOnly: true,
                                   origin: origin, time: time)
            let exitEvents = await executor.submit(exit, leverage: nil, at: time)
            await record(exitEvents, in: &batch, time: time)
            events += exitEvents
        }
        return events
    }

    /// The next order of this account, with its never-reused client order id.
    private func nextRequest(symbol: Symbol, side: Side, size: FixedDecimal, type: OrderType, reduceOnly: Bool,
                             origin: OrderOrigin, time: Timestamp) -> OrderRequest {
        orderSequence += 1
        risk.noteOrderSent(at: time)
        return OrderRequest(clientOrderID: ClientOrderID(account: id, sequence: orderSequence), symbol: symbol, side: side,
                            size: size, type: type, reduceOnly: reduceOnly, origin: origin)
    }

    // MARK: Operators

    /// Submits an operator's order through the same risk engine and executor as a driver's; a
    /// refused order is stored as rejected with its reason. Returns the events.
    public func submitOperatorOrder(_ gated: GatedOrder) async -> [ExchangeEvent] {
        guard let market = lastMarket else {
            return await refuse(gated, reason: "No market data yet; try again in a moment.", time: Timestamp(milliseconds: 0))
        }
        let events: [ExchangeEvent]
        switch risk.evaluate(.operatorOrder(gated), account: riskAccount(await executor.state()), market: market) {
        case .rejected(let reason):
            return await refuse(gated, reason: reason, time: market.time)
        case .hold:
            events = []
        case .orders(let orders):
            var batch = ExecutionBatch(recorder: recorder)
            var submitted: [ExchangeEvent] = []
            for order in orders { submitted += await submit(order, origin: .operator, in: &batch, time: market.time) }
            events = submitted
        }
        await refreshLeaderboard(time: market.time)
        return events
    }

    /// Stores a refused order with its reason, changing nothing else.
    private func refuse(_ gated: GatedOrder, reason: String, time: Timestamp) async -> [ExchangeEvent] {
        let request = nextRequest(symbol: gated.symbol, side: gated.side, size: gated.size, type: gated.type,
                                  reduceOnly: gated.reduceOnly, origin: .operator, time: time)
        var order = Order(request: request, status: .rejected, submittedAt: time, midAtSubmission: lastMarket?[gated.symbol]?.mid)
        order.rejectionReason = reason
        let events = [ExchangeEvent.orderUpdated(order)]
        var batch = ExecutionBatch(recorder: recorder)
        await record(events, in: &batch, time: time)
        return events
    }

    /// Cancels every open order and closes every position at market with reduce-only orders.
    /// These orders pass even the kill switch: they only take risk off.
    public func closeAll(origin: OrderOrigin) async -> [ExchangeEvent] {
        guard let market = lastMarket else { return [] }
        var events: [ExchangeEvent] = []
        var batch = ExecutionBatch(recorder: recorder)
        for order in await executor.activeOrders() {
            let cancelled = await executor.cancel(order.request.clientOrderID, at: market.time)
            await record(cancelled, in: &batch, time: market.time)
            events += cancelled
        }
        for position in await executor.state().positions.values.sorted(by: { $0.symbol < $1.symbol }) where !position.isFlat {
            let close = GatedOrder(symbol: position.symbol, side: position.size.isPositive ? .sell : .buy,
                                   size: position.size.magnitude, reduceOnly: true, leverage: nil)
            events += await submit(close, origin: origin, in: &batch, time: market.time)
        }
        await refreshLeaderboard(time: market.time)
        return events
    }

    /// Cancels one open order by its client order id.
    public func cancel(_ clientOrderID: ClientOrderID) async -> [ExchangeEvent] {
        let time = lastMarket?.time ?? Timestamp(milliseconds: 0)
        let events = await executor.cancel(clientOrderID, at: time)
        var batch = ExecutionBatch(recorder: recorder)
        await record(events, in: &batch, time: time)
        return events
    }

    /// Swaps the executor between two decisions (waiting for one in flight to end), then records the
    /// account's new mode. Returns the executor it replaced.
    public func replaceExecutor(with newExecutor: any OrderExecutor, network: Network) async -> any OrderExecutor {
        while isDeciding { try? await Task.sleep(for: .milliseconds(20)) }
        let old = executor
        executor = newExecutor
        record.mode = newExecutor.mode
        record.network = network
        let time = lastMarket?.time ?? record.updatedAt
        var batch = ExecutionBatch(recorder: recorder)
        await record(await executor.synchronize(at: time), in: &batch, time: time)
        if let market = lastMarket {
            await record(await executor.apply(market), in: &batch, time: market.time)
        }
        await refreshLeaderboard(time: time)
        return old
    }

    /// The orders not yet final at the executor.
    public func openOrdersNow() async -> [Order] { await executor.activeOrders() }

    /// The account's current executor's mode.
    public var mode: AccountMode { executor.mode }

    /// Replaces the account's configuration between two decisions (an actor runs one at a time).
    public func reconfigure(record updated: AccountRecord, driver newDriver: any Driver, limits: RiskLimits) {
        record.name = updated.name
        record.symbols = updated.symbols
        record.driverKind = updated.driverKind
        record.driverSettings = updated.driverSettings
        record.riskLimits = updated.riskLimits
        driver = newDriver
        risk.replaceLimits(limits)
    }

    /// Pauses, resumes (clearing a halt) or archives the account.
    public func changeStatus(_ status: AccountStatus, reason: String) {
        setStatus(status, time: lastMarket?.time ?? record.updatedAt, alert: reason)
        if let state = lastState { refreshLeaderboard(state: state, time: lastMarket?.time ?? record.updatedAt) }
        if status == .archived { leaderboard.remove(id) }
    }

    // MARK: Recording

    /// Records what an executor call did, at once or with the batch's decision.
    private func record(_ events: [ExchangeEvent], in batch: inout ExecutionBatch, time: Timestamp) async {
        guard !events.isEmpty else { return }
        for event in events {
            switch event {
            case .orderUpdated(let order) where order.status == .rejected:
                logger.info("order rejected", metadata: ["order.cloid": "\(order.request.clientOrderID)",
                                                         "reason": "\(order.rejectionReason ?? "")"])
            case .liquidated(let liquidation):
                logger.warning("account liquidated", metadata: ["account_value": "\(liquidation.accountValue)"])
            default:
                break
            }
        }
        let state = await executor.state()
        do {
            let entry = try journal.entry(for: events, decisionID: batch.decisionID, mode: executor.mode, state: state,
                                          orderSequence: orderSequence, accountName: record.name, time: time)
            try batch.add(entry)
        } catch {
            haltForLedgerFailure(error, time: time)
        }
    }

    /// Changes the account's status and stores it with the alert that reports it.
    private func setStatus(_ status: AccountStatus, time: Timestamp, alert: String?) {
        guard record.status != status else { return }
        record.status = status
        do {
            try recorder.record { transaction, feed in
                try transaction.setStatus(status, for: id, now: time)
                if let alert { feed.append(try FeedDraft(.alert, accountID: id, time: time, data: AlertView(kind: status.rawValue, message: alert))) }
            }
        } catch {
            logger.error("could not store the account's status", metadata: ["error": "\(error)"])
        }
        if let alert {
            logger.warning("account status changed", metadata: ["status": "\(status.rawValue)", "reason": "\(alert)"])
        }
    }

    /// The venue already acted but the ledger could not be written: the ledger must not silently
    /// diverge from it, so the account stops.
    private func haltForLedgerFailure(_ error: any Error, time: Timestamp) {
        logger.critical("could not record an execution; halting the account", metadata: ["error": "\(error)"])
        record.status = .halted
        // The database may take this alert even if it refused the execution; if not, the log has it.
        try? recorder.record([FeedDraft(.alert, accountID: id, time: time, data: AlertView(
            kind: "halted", message: "\(record.name) was halted: its ledger could not be written. Check the database and restart."))])
    }

    private func riskAccount(_ state: AccountState) -> RiskEngine.Account {
        RiskEngine.Account(name: record.name, status: record.status, symbols: record.symbols, state: state)
    }

    // MARK: Snapshots and the leaderboard

    /// Takes an equity point for the curve and folds it into the statistics; returns the point,
    /// the statistics and the feed message, for the caller to record with every account's.
    /// - Throws: `EncodingError` when the statistics or the message cannot be encoded.
    public func snapshot(time: Timestamp) async throws -> EquitySnapshot {
        let state = await executor.state()
        let point = SnapshotRecord(accountID: id, time: time, equity: state.equity, cash: state.cash,
                                   unrealizedPnl: state.unrealizedPnl, marginUsed: state.marginUsed)
        equityStatistics.add(equity: state.equity, marginUsed: state.marginUsed, time: time)
        let feed = try FeedDraft(.snapshot, accountID: id, time: time, data: SnapshotView(
            account_id: id.rawValue, equity: state.equity.description, cash: state.cash.description,
            unrealized_pnl: state.unrealizedPnl.description, margin_used: state.marginUsed.description,
            return_pct: LeaderboardEntry.returnPercent(equity: state.equity, initialCapital: record.initialCapital),
            time: time.milliseconds))
        refreshLeaderboard(state: state, time: time)
        return EquitySnapshot(point: point, statistics: try JSON.encode(equityStatistics), feed: feed)
    }

    private func refreshLeaderboard(time: Timestamp) async {
        refreshLeaderboard(state: await executor.state(), time: time)
    }

    private func refreshLeaderboard(state: AccountState, time: Timestamp) {
        leaderboard.update(LeaderboardEntry(record: record, mode: executor.mode, state: state, totals: journal.totals,
                                            decisions: decisionSummary, statistics: equityStatistics,
                                            snapshotIntervalMilliseconds: snapshotIntervalMilliseconds, time: time))
    }

    /// The account's state now, for the API.
    public func accountState() async -> AccountState { await executor.state() }

    /// The driver's state as it would be persisted now (nil for stateless drivers), for the API.
    public func driverState() async -> String? { await driver.persistentState() }

    /// The newest marks seen, for valuing positions in the API.
    public var marks: [Symbol: FixedDecimal] {
        lastMarket?.quotes.mapValues(\.mark) ?? [:]
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// One account's equity point, its statistics and its feed message, recorded together with
/// every other account's.
public struct EquitySnapshot: Sendable {
    public var point: SnapshotRecord
    /// The equity statistics after the point, as stored JSON.
    public var statistics: String
    public var feed: FeedDraft
}
