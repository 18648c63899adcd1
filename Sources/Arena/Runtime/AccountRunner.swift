import ArenaCore
import Drivers
import Logging
import Market
import Storage

/// Runs one account. It only orchestrates the flow: ask the driver (`decide`), gate the answer
/// (`RiskEngine`), submit the orders (`OrderExecutor`) and record what happened
/// (`AccountRecorder`). An actor, so one account's state is only ever touched by one task at a
/// time, while accounts run side by side. Operators' actions are in `AccountRunner+Operators`.
public actor AccountRunner {
    public let id: AccountID
    public internal(set) var record: AccountRecord
    var driver: any Driver
    var executor: any OrderExecutor
    var risk: RiskEngine
    var recording: AccountRecorder
    var standings: AccountStandings
    let logger: Logger
    let instruments: [Symbol: Instrument]
    var orderSequence: UInt64
    var callNumber = 0
    var startedAt: Timestamp?
    var lastMarket: MarketSnapshot?
    var lastState: AccountState?
    /// Set while a decision runs, so an executor is only ever replaced between two decisions.
    var isDeciding = false
    /// Each coin's mid when the last decision started, for the move trigger.
    var midsAtLastDecision: [Symbol: FixedDecimal] = [:]
    /// A move of more than this many percent since the last decision starts a decision; nil for none.
    let triggerMovePercent: FixedDecimal?
    /// What became of the previous decision, shown to the driver at the next call.
    var lastOutcome: DecisionFeedback?

    /// The decision interval in milliseconds of market time.
    public nonisolated let intervalMilliseconds: Int64

    /// Creates the runner of a stored account.
    /// - Parameters:
    ///   - limits: The account's risk limits.
    ///   - instruments: The venue's rules per symbol.
    ///   - decisionSummary: Its decisions so far (from the ledger).
    ///   - equityStatistics: Its equity curve's statistics so far (from the ledger).
    ///   - tradingSwitch: The arena-wide kill switch.
    ///   - riskState: The risk state stored by the previous run (`AccountRunner+RiskState`).
    init(record: AccountRecord, driver: any Driver, executor: any OrderExecutor, limits: RiskLimits, intervalMilliseconds: Int64,
         recorder: Recorder, leaderboard: Leaderboard, instruments: [Symbol: Instrument],
         decisionSummary: DecisionSummary = DecisionSummary(), equityStatistics: EquityStatistics = EquityStatistics(),
         tradingSwitch: TradingSwitch = TradingSwitch(),
         triggerMovePercent: FixedDecimal? = nil, riskState: StoredRiskState? = nil, logger: Logger) {
        var logger = logger
        logger[metadataKey: "account.id"] = "\(record.id)"
        logger[metadataKey: "account.name"] = "\(record.name)"
        id = record.id
        self.record = record
        self.driver = driver
        self.executor = executor
        risk = RiskEngine(limits: limits, instruments: instruments, highWaterMark: equityStatistics.highWaterMark,
                          stored: riskState, tradingSwitch: tradingSwitch)
        recording = AccountRecorder(accountID: record.id, totals: record.totals, recorder: recorder, logger: logger)
        standings = AccountStandings(leaderboard: leaderboard, decisions: decisionSummary, statistics: equityStatistics)
        orderSequence = record.orderSequence
        self.intervalMilliseconds = intervalMilliseconds
        self.triggerMovePercent = triggerMovePercent
        self.instruments = instruments
        self.logger = logger
    }

    // MARK: Market

    /// Feeds a market update to the executor and records whatever it caused. Returns whether one
    /// of the account's coins has moved past its move trigger since its last decision.
    @discardableResult
    public func apply(_ snapshot: MarketSnapshot) async -> Bool {
        lastMarket = snapshot
        if startedAt == nil { startedAt = snapshot.time }
        var batch = recording.batch()
        await record(await executor.apply(snapshot), in: &batch, time: snapshot.time)
        let state = await executor.state()
        lastState = state
        observeRisk(state, time: snapshot.time)
        publishStanding(state: state, time: snapshot.time)
        return movedPastTrigger(snapshot)
    }

    /// Whether a coin of the account moved more than `triggerMovePercent` since the last decision.
    private func movedPastTrigger(_ snapshot: MarketSnapshot) -> Bool {
        guard let limit = triggerMovePercent, !isDeciding else { return false }
        return record.symbols.contains { symbol in
            guard let then = midsAtLastDecision[symbol], then.isPositive, let now = snapshot[symbol]?.mid else { return false }
            return (now - then).magnitude * FixedDecimal(100) / then > limit
        }
    }

    /// Counts a cycle skipped because the account was still deciding.
    public func noteSkippedCycle() { standings.countSkippedCycle() }

    // MARK: Decisions

    /// Asks the driver for a decision, gates it, executes it and records it all.
    /// - Parameters:
    ///   - indicators: The shared indicators of this market update.
    ///   - standings: The arena's ranking at this market update, shared by every account deciding.
    public func decide(indicators: [Symbol: SymbolIndicators] = [:], standings: StandingsTable? = nil) async {
        guard record.status == .active || record.status == .halted, !isDeciding, let market = lastMarket else { return }
        isDeciding = true
        defer { isDeciding = false }
        callNumber += 1
        midsAtLastDecision = market.quotes.mapValues(\.mid)
        let context = await decisionContext(market: market, callNumber: callNumber, indicators: indicators, standings: standings)
        let started = ContinuousClock.now
        let output: DriverOutput
        do {
            output = try await driver.decide(context)
        } catch let failure as DriverFailure {
            // A model call that produced no usable decision: keep its prompt, answer and cost.
            logger.warning("decision \(failure.outcome.rawValue)", metadata: ["reason": "\(failure.reason)"])
            lastOutcome = DecisionFeedback(callNumber: context.callNumber, time: market.time, result: .failed, reason: failure.reason)
            store(DecisionRecord(failure: failure, accountID: id, driver: driver, time: market.time,
                                 latencyMilliseconds: Self.milliseconds(since: started)), justification: nil, actions: [])
            return
        } catch {
            logger.warning("decision failed", metadata: ["reason": "\(error)"])
            lastOutcome = DecisionFeedback(callNumber: context.callNumber, time: market.time, result: .failed, reason: "\(error)")
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
        var events: [ExchangeEvent] = []
        var rejectionReason: String?
        var batch: ExecutionBatch?
        // Unchanged until orders are sent: the report of a hold or a refusal reuses it.
        var stateAfter = await executor.state()
        switch risk.evaluate(.decision(output.decision), account: riskAccount(stateAfter), market: now) {
        case .hold:
            break
        case .rejected(let reason):
            decision.outcome = .rejected
            decision.rejectionReason = reason
            rejectionReason = reason
            logger.info("decision rejected", metadata: ["reason": "\(reason)"])
        case .orders(let orders):
            decision.outcome = .accepted
            (events, batch) = await execute(orders, of: decision, justification: output.decision.headline,
                                            actions: output.decision.actionSummary, time: now.time)
            stateAfter = await executor.state()
        }
        let report = ExecutionReport(
            decision: output.decision,
            orders: events.compactMap { if case .orderUpdated(let order) = $0 { order } else { nil } },
            fills: events.compactMap { if case .filled(let fill) = $0 { fill } else { nil } },
            account: stateAfter, time: now.time, rejectionReason: rejectionReason)
        lastOutcome = DecisionFeedback(report: report, callNumber: context.callNumber)
        await driver.reconcile(report)
        // The driver's state after this decision is stored with it, so no restart finds one without the other.
        let driverState = await driver.persistentState().flatMap { $0 == record.driverState ? nil : $0 }
        if decision.outcome != .accepted {
            if store(decision, justification: output.decision.headline, actions: output.decision.actionSummary, alert: output.alert,
                     driverState: driverState) {
                record.driverState = driverState ?? record.driverState
            }
        } else {
            if var batch {
                // On a venue that acts on its own the decision went in before its orders, and the
                // driver's state follows in a transaction of its own.
                let withDecision = batch.storesDecisionOnFinish ? driverState : nil
                if finish(&batch, of: decision, driverState: withDecision, time: now.time), withDecision != nil {
                    record.driverState = withDecision
                }
                if withDecision == nil, let driverState { saveDriverState(driverState, time: now.time) }
            }
            if let alert = output.alert {
                do {
                    try recording.alert(kind: alert.kind, message: alert.message, time: now.time)
                } catch {
                    logger.error("could not store a driver's alert", metadata: ["kind": "\(alert.kind)", "error": "\(error)"])
                }
            }
        }
        await driver.decisionStored()
        publishStanding(state: await executor.state(), time: now.time)
    }

    /// What the driver sees for a decision on `market`.
    private func decisionContext(market: MarketSnapshot, callNumber: Int, indicators: [Symbol: SymbolIndicators],
                                 standings: StandingsTable?) async -> DecisionContext {
        DecisionContext(
            accountID: id, accountName: record.name, time: market.time, startedAt: startedAt ?? market.time, callNumber: callNumber,
            symbols: record.symbols, market: market, account: await executor.state(), initialCapital: record.initialCapital,
            maxLeverage: risk.limits.max_leverage, instruments: instruments, indicators: indicators, lastOutcome: lastOutcome,
            ranking: standings?.ranking(for: id))
    }

    /// Returns the prompts the next decision would send, rendered from the newest market and the
    /// account now; nil when the driver has no prompts.
    /// - Throws: `ArenaError.conflict` before the first market update; the driver's rendering error.
    public func promptPreview(indicators: [Symbol: SymbolIndicators], standings: StandingsTable? = nil) async throws -> PromptPreview? {
        guard let market = lastMarket else { throw ArenaError.conflict("Account \(id.rawValue) has seen no market yet.") }
        return try await driver.previewPrompt(await decisionContext(market: market, callNumber: callNumber + 1, indicators: indicators,
                                                                    standings: standings))
    }

    /// Stores a decision that placed no order, with the driver's alert if it raised one and its
    /// new state if it changed; returns whether it was stored.
    @discardableResult
    private func store(_ decision: DecisionRecord, justification: String?, actions: [String], alert: DriverAlert? = nil,
                       driverState: String? = nil) -> Bool {
        do {
            try recording.store(decision, justification: justification, actions: actions, alert: alert,
                                driverState: driverState.map { ($0, decision.time) })
            standings.count(decision)
            return true
        } catch {
            logger.error("could not store a decision", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Saves the driver's state on its own (after a decision whose orders were recorded as they happened).
    private func saveDriverState(_ state: String, time: Timestamp) {
        do {
            try recording.storeDriverState(state, time: time)
            record.driverState = state
        } catch {
            logger.error("could not save the driver's state", metadata: ["error": "\(error)"])
        }
    }

    /// Submits a decision's gated orders, recording each as the executor's `decisionCommit`
    /// requires; returns every event and the batch that `finish` completes (nil when the decision
    /// could not be stored before its orders, which were then not sent).
    private func execute(_ orders: [GatedOrder], of decision: DecisionRecord, justification: String?, actions: [String],
                         time: Timestamp) async -> ([ExchangeEvent], ExecutionBatch?) {
        var batch: ExecutionBatch
        do {
            batch = try recording.batch(for: decision, commit: executor.decisionCommit, justification: justification, actions: actions)
        } catch {
            logger.error("could not store a decision; its orders are not sent", metadata: ["error": "\(error)"])
            return ([], nil)
        }
        var events: [ExchangeEvent] = []
        for order in orders {
            events += await submit(order, origin: .driver, in: &batch, time: time)
        }
        return (events, batch)
    }

    /// Writes what `batch` still holds (the decision and its orders' changes, for an executor that
    /// commits after its orders) with the driver's new state; returns whether it was written.
    private func finish(_ batch: inout ExecutionBatch, of decision: DecisionRecord, driverState: String?, time: Timestamp) -> Bool {
        do {
            try batch.finish(driverState: driverState.map { ($0, time) })
            standings.count(decision)
            return true
        } catch {
            // Its orders were placed on the venue, but neither they nor the decision are stored.
            haltForLedgerFailure(error, time: time)
            return false
        }
    }

    // MARK: Submitting and recording

    /// Submits one gated order with the exits it asks for (the executor places them as one group
    /// when it fills), records the outcome, and returns every event.
    func submit(_ gated: GatedOrder, origin: OrderOrigin, in batch: inout ExecutionBatch, time: Timestamp) async -> [ExchangeEvent] {
        let request = request(for: gated, origin: origin, time: time)
        let events = await executor.submit(request, leverage: gated.leverage, at: time)
        await record(events, in: &batch, time: time)
        return events
    }

    /// The next order of this account, with its never-reused client order id.
    func nextRequest(symbol: Symbol, side: Side, size: FixedDecimal, type: OrderType, reduceOnly: Bool,
                     origin: OrderOrigin, time: Timestamp) -> OrderRequest {
        orderSequence += 1
        risk.noteOrderSent(at: time)
        return OrderRequest(clientOrderID: ClientOrderID(account: id, sequence: orderSequence), symbol: symbol, side: side,
                            size: size, type: type, reduceOnly: reduceOnly, origin: origin)
    }

    /// Records what an executor call did, at once or with the batch's decision; halts the account
    /// if the ledger cannot take it.
    func record(_ events: [ExchangeEvent], in batch: inout ExecutionBatch, time: Timestamp) async {
        guard !events.isEmpty else { return }
        let state = await executor.state()
        do {
            try recording.record(events, in: &batch, state: state, mode: executor.mode, orderSequence: orderSequence,
                                 accountName: record.name, time: time)
        } catch {
            haltForLedgerFailure(error, time: time)
        }
    }

    /// The venue already acted but the ledger could not be written: the ledger must not silently
    /// diverge from it, so the account stops.
    private func haltForLedgerFailure(_ error: any Error, time: Timestamp) {
        logger.critical("could not record an execution; halting the account", metadata: ["error": "\(error)"])
        record.status = .halted
        // The database may take this alert even if it refused the execution; if not, the log has it.
        try? recording.alert(kind: "halted", message: "\(record.name) was halted: its ledger could not be written. Check the database and restart.",
                             time: time)
    }

    func riskAccount(_ state: AccountState) -> RiskEngine.Account {
        RiskEngine.Account(name: record.name, status: record.status, symbols: record.symbols, state: state)
    }

    // MARK: Standing

    /// Takes an equity point for the curve and folds it into the statistics; returns the point,
    /// the statistics and the feed message, for the caller to record with every account's.
    /// - Throws: `EncodingError` when the statistics or the message cannot be encoded.
    public func snapshot(time: Timestamp, withMessage: Bool = true, withStatistics: Bool = true) async throws -> EquitySnapshot {
        let state = await executor.state()
        let snapshot = try standings.snapshot(of: id, initialCapital: record.initialCapital, state: state, time: time, withMessage: withMessage,
                                              withStatistics: withStatistics)
        publishStanding(state: state, time: time)
        return snapshot
    }

    /// Updates the account's line on the leaderboard.
    func publishStanding(state: AccountState, time: Timestamp) {
        // Only a kept line takes the whole record: copying it out of the runner cost more than a
        // season's rival line.
        if standings.leaderboard.keepsLines {
            standings.publishLine(record: record, mode: executor.mode, state: state, totals: recording.totals, time: time)
        }
        standings.publishRival(id: id, name: record.name, initialCapital: record.initialCapital, state: state)
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
