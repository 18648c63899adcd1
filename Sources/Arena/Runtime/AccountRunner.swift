import ArenaCore
import Drivers
import Logging
import Market
import Storage

/// Runs one account: feeds it the market, asks its driver, passes the answer through the risk
/// gate to the executor, and records everything. An actor, so one account's state is only ever
/// touched by one task at a time, while accounts run side by side.
public actor AccountRunner {
    public let id: AccountID
    public private(set) var record: AccountRecord
    private let driver: any Driver
    private var executor: any OrderExecutor
    private let gate: RiskGate
    private let ledger: LedgerStore
    private let bus: EventBus
    private let leaderboard: Leaderboard
    private let instruments: [Symbol: Instrument]
    private let logger: Logger

    private var orderSequence: UInt64
    private var totals: LedgerTotals
    private var decisionCount: Int
    private var callNumber = 0
    private var startedAt: Timestamp?
    private var lastMarket: MarketSnapshot?

    /// The decision interval in milliseconds of market time.
    public nonisolated let intervalMilliseconds: Int64

    init(record: AccountRecord, driver: any Driver, executor: any OrderExecutor, limits: RiskLimits, intervalMilliseconds: Int64,
         ledger: LedgerStore, bus: EventBus, leaderboard: Leaderboard, instruments: [Symbol: Instrument], decisionCount: Int,
         logger: Logger) {
        id = record.id
        self.record = record
        self.driver = driver
        self.executor = executor
        gate = RiskGate(limits: limits)
        self.ledger = ledger
        self.bus = bus
        self.leaderboard = leaderboard
        self.instruments = instruments
        orderSequence = record.orderSequence
        totals = record.totals
        self.decisionCount = decisionCount
        self.intervalMilliseconds = intervalMilliseconds
        var logger = logger
        logger[metadataKey: "account.id"] = "\(record.id)"
        logger[metadataKey: "account.name"] = "\(record.name)"
        self.logger = logger
    }

    private func instrument(_ symbol: Symbol) -> Instrument {
        instruments[symbol] ?? Instrument.defaultInstrument(for: symbol)
    }

    // MARK: Market

    /// Feeds a market update to the executor and records whatever it caused.
    public func apply(_ snapshot: MarketSnapshot) async {
        lastMarket = snapshot
        if startedAt == nil { startedAt = snapshot.time }
        let events = await executor.apply(snapshot)
        if !events.isEmpty {
            await record(events, decisionID: nil, time: snapshot.time)
        }
        await refreshLeaderboard(time: snapshot.time)
    }

    // MARK: Decisions

    /// Asks the driver for a decision, gates it, executes it and records it all.
    /// - Parameter indicators: The shared indicators of this market update.
    public func decide(indicators: [Symbol: SymbolIndicators] = [:]) async {
        guard record.status == .active, let market = lastMarket else { return }
        callNumber += 1
        let account = await executor.state()
        let context = DecisionContext(
            accountID: id, accountName: record.name, time: market.time, startedAt: startedAt ?? market.time, callNumber: callNumber,
            symbols: record.symbols, market: market, account: account, initialCapital: record.initialCapital,
            maxLeverage: gate.limits.max_leverage, instruments: instruments, indicators: indicators)
        let started = ContinuousClock.now
        let output: DriverOutput
        do {
            output = try await driver.decide(context)
        } catch let failure as DriverFailure {
            // A model call that produced no usable decision: keep its prompt, answer and cost.
            logger.warning("decision \(failure.outcome.rawValue)", metadata: ["reason": "\(failure.reason)"])
            _ = storeDecision(DecisionRecord(accountID: id, time: market.time, driverKind: driver.kind, provider: driver.provider,
                                             model: driver.model, prompt: failure.prompt, rawResponse: failure.rawResponse,
                                             reasoning: failure.reasoning, outcome: failure.outcome == .rejected ? .rejected : .failed,
                                             rejectionReason: failure.reason, promptTokens: failure.promptTokens,
                                             completionTokens: failure.completionTokens, costUSD: failure.costUSD,
                                             latencyMilliseconds: Self.milliseconds(since: started)),
                              justification: nil, actions: [])
            return
        } catch {
            let reason = "The driver could not decide: \(error)"
            logger.warning("decision failed", metadata: ["reason": "\(reason)"])
            _ = storeDecision(DecisionRecord(accountID: id, time: market.time, driverKind: driver.kind, provider: driver.provider,
                                             model: driver.model, outcome: .failed, rejectionReason: reason,
                                             latencyMilliseconds: Self.milliseconds(since: started)),
                              justification: nil, actions: [])
            return
        }
        let latency = Self.milliseconds(since: started)
        // The market may have moved while the driver thought: gate against the newest state.
        let now = lastMarket ?? market
        let verdict = gate.evaluate(output.decision, universe: record.symbols, account: await executor.state(), market: now,
                                    instruments: instrument)
        var decisionRecord = DecisionRecord(
            accountID: id, time: now.time, driverKind: driver.kind, provider: driver.provider, model: driver.model,
            prompt: output.prompt, rawResponse: output.rawResponse, reasoning: output.decision.reasoning,
            parsedDecision: JSON.encode(DecisionJSON(output.decision)), outcome: .hold, promptTokens: output.promptTokens,
            completionTokens: output.completionTokens, costUSD: output.costUSD, latencyMilliseconds: latency)
        let actions = output.decision.instructions.map { "\($0.action.rawValue) \($0.symbol)" }
        let justification = output.decision.instructions.first(where: { $0.action != .hold })?.justification
            ?? output.decision.reasoning ?? output.decision.instructions.first?.justification
        var events: [ExchangeEvent] = []
        var rejectionReason: String?
        switch verdict {
        case .hold:
            _ = storeDecision(decisionRecord, justification: justification, actions: actions)
        case .rejected(let reason):
            decisionRecord.outcome = .rejected
            decisionRecord.rejectionReason = reason
            rejectionReason = reason
            logger.info("decision rejected", metadata: ["reason": "\(reason)"])
            _ = storeDecision(decisionRecord, justification: justification, actions: actions)
        case .orders(let orders):
            decisionRecord.outcome = .accepted
            let decisionID = storeDecision(decisionRecord, justification: justification, actions: actions)
            for order in orders {
                events += await submit(order, origin: .driver, decisionID: decisionID, time: now.time)
            }
        }
        let report = ExecutionReport(
            decision: output.decision,
            orders: events.compactMap { if case .orderUpdated(let order) = $0 { order } else { nil } },
            fills: events.compactMap { if case .filled(let fill) = $0 { fill } else { nil } },
            account: await executor.state(), time: now.time, rejectionReason: rejectionReason)
        await driver.reconcile(report)
        if let state = await driver.persistentState(), state != record.driverState {
            do {
                try ledger.saveDriverState(state, for: id, now: now.time)
                record.driverState = state
            } catch {
                logger.error("could not save the driver's state", metadata: ["error": "\(error)"])
            }
        }
        await refreshLeaderboard(time: now.time)
    }

    /// Submits one gated order as a market order, records the outcome and returns its events.
    private func submit(_ gated: GatedOrder, origin: OrderOrigin, decisionID: Int64?, time: Timestamp) async -> [ExchangeEvent] {
        orderSequence += 1
        let request = OrderRequest(clientOrderID: ClientOrderID(account: id, sequence: orderSequence), symbol: gated.symbol,
                                   side: gated.side, size: gated.size, type: .market(slippageBound: OrderType.defaultSlippageBound),
                                   reduceOnly: gated.reduceOnly, origin: origin)
        let events = await executor.submit(request, leverage: gated.leverage, at: time)
        await record(events, decisionID: decisionID, time: time)
        return events
    }

    @discardableResult
    private func storeDecision(_ decision: DecisionRecord, justification: String?, actions: [String]) -> Int64? {
        do {
            let decisionID = try ledger.recordDecision(decision)
            decisionCount += 1
            bus.publish(.decision, accountID: id, time: decision.time, data: DecisionView(
                id: decisionID, account_id: id.rawValue, driver: decision.driverKind, model: decision.model,
                outcome: decision.outcome.rawValue, rejection_reason: decision.rejectionReason, justification: justification,
                actions: actions, latency_ms: decision.latencyMilliseconds, time: decision.time.milliseconds))
            return decisionID
        } catch {
            logger.error("could not store a decision", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Writes the events to the ledger in one transaction, then publishes them.
    private func record(_ events: [ExchangeEvent], decisionID: Int64?, time: Timestamp) async {
        let state = await executor.state()
        totals.add(events)
        var touched = Set<Symbol>()
        for event in events {
            if case .filled(let fill) = event { touched.insert(fill.symbol) }
        }
        let positions = touched.sorted().map { state.positions[$0] ?? Position(symbol: $0) }
        let execution = ExecutionRecord(accountID: id, decisionID: decisionID, mode: executor.mode, events: events, cash: state.cash,
                                        totals: totals, positions: positions, orderSequence: orderSequence, time: time)
        do {
            try ledger.recordExecution(execution)
        } catch {
            // The venue already acted; the ledger must not silently diverge from it.
            logger.critical("could not record an execution; halting the account", metadata: ["error": "\(error)"])
            record.status = .halted
        }
        let mode = executor.mode
        for event in events {
            switch event {
            case .orderUpdated(let order):
                if order.status == .rejected {
                    logger.info("order rejected", metadata: ["order.cloid": "\(order.request.clientOrderID)",
                                                             "reason": "\(order.rejectionReason ?? "")"])
                }
                bus.publish(.order, accountID: id, time: order.updatedAt, data: OrderView(id: nil, accountID: id, mode: mode, order: order))
            case .filled(let fill):
                bus.publish(.fill, accountID: id, time: fill.time, data: FillView(accountID: id, fill: fill))
            case .fundingPaid(let payment):
                bus.publish(.funding, accountID: id, time: payment.time, data: FundingView(
                    symbol: payment.symbol.name, rate: payment.rate.description, position_size: payment.positionSize.description,
                    amount: payment.amount.description, time: payment.time.milliseconds))
            case .liquidated(let liquidation):
                logger.warning("account liquidated", metadata: ["account_value": "\(liquidation.accountValue)"])
                bus.publish(.liquidation, accountID: id, time: liquidation.time, data: [
                    "account_value": liquidation.accountValue.description,
                    "maintenance_margin": liquidation.maintenanceMargin.description,
                ])
            }
        }
    }

    // MARK: Snapshots and the leaderboard

    /// Takes an equity point for the curve and publishes it.
    public func snapshot(time: Timestamp) async -> SnapshotRecord {
        let state = await executor.state()
        let snapshot = SnapshotRecord(accountID: id, time: time, equity: state.equity, cash: state.cash,
                                      unrealizedPnl: state.unrealizedPnl, marginUsed: state.marginUsed)
        bus.publish(.snapshot, accountID: id, time: time, data: SnapshotView(
            account_id: id.rawValue, equity: state.equity.description, cash: state.cash.description,
            unrealized_pnl: state.unrealizedPnl.description, margin_used: state.marginUsed.description,
            return_pct: returnPercent(state.equity).description, time: time.milliseconds))
        return snapshot
    }

    private func returnPercent(_ equity: FixedDecimal) -> FixedDecimal {
        guard record.initialCapital.isPositive else { return .zero }
        return ((equity - record.initialCapital) * FixedDecimal(100) / record.initialCapital).rounded(decimals: 4)
    }

    private func refreshLeaderboard(time: Timestamp) async {
        let state = await executor.state()
        leaderboard.update(LeaderboardEntry(
            account_id: id.rawValue, name: record.name, driver: record.driverKind, provider: record.provider, model: record.model,
            mode: executor.mode.rawValue, network: record.network.rawValue, status: record.status.rawValue,
            initial_capital: record.initialCapital.description, equity: state.equity.rounded(decimals: 6).description,
            cash: state.cash.rounded(decimals: 6).description, return_pct: returnPercent(state.equity).description,
            pnl: (state.equity - record.initialCapital).rounded(decimals: 6).description,
            realized_pnl: totals.realizedPnl.description, unrealized_pnl: state.unrealizedPnl.rounded(decimals: 6).description,
            fees: totals.feesPaid.description, funding: totals.funding.description, trades: totals.fillCount,
            decisions: decisionCount, open_positions: state.positions.values.filter { !$0.isFlat }.count,
            updated_at: time.milliseconds))
    }

    /// The account's state now, for the API.
    public func accountState() async -> AccountState { await executor.state() }

    /// The newest marks seen, for valuing positions in the API.
    public var marks: [Symbol: FixedDecimal] {
        lastMarket?.quotes.mapValues(\.mark) ?? [:]
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
