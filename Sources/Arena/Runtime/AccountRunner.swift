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
    private var driver: any Driver
    private var executor: any OrderExecutor
    private var gate: RiskGate
    private let tradingSwitch: TradingSwitch
    /// Market times of the orders sent in the last minute, for the order-rate limit.
    private var recentOrderTimes: [Int64] = []
    /// The UTC day and the equity it started with, for the daily loss limit.
    private var dayStart: (day: Int64, equity: FixedDecimal)?
    private let ledger: LedgerStore
    /// Where decisions, executions and driver state are written: one writer per database, shared
    /// by the runners, which keeps SQLite's checkpoints out of their commits.
    private let writer: LedgerWriter
    private let bus: EventBus
    private let leaderboard: Leaderboard
    private let instruments: [Symbol: Instrument]
    private let logger: Logger

    private var orderSequence: UInt64
    private var totals: LedgerTotals
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

    init(record: AccountRecord, driver: any Driver, executor: any OrderExecutor, limits: RiskLimits, intervalMilliseconds: Int64,
         ledger: LedgerStore, bus: EventBus, leaderboard: Leaderboard, instruments: [Symbol: Instrument],
         decisionSummary: DecisionSummary = DecisionSummary(), equityStatistics: EquityStatistics = EquityStatistics(),
         snapshotIntervalMilliseconds: Int64 = 5_000, tradingSwitch: TradingSwitch = TradingSwitch(), writer: LedgerWriter? = nil,
         logger: Logger) {
        self.tradingSwitch = tradingSwitch
        id = record.id
        self.record = record
        self.driver = driver
        self.executor = executor
        gate = RiskGate(limits: limits)
        self.ledger = ledger
        self.writer = writer ?? LedgerWriter(ledger: ledger)
        self.bus = bus
        self.leaderboard = leaderboard
        self.instruments = instruments
        orderSequence = record.orderSequence
        totals = record.totals
        self.decisionSummary = decisionSummary
        self.equityStatistics = equityStatistics
        self.snapshotIntervalMilliseconds = snapshotIntervalMilliseconds
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
        let state = await executor.state()
        lastState = state
        let day = snapshot.time.milliseconds / 86_400_000
        if dayStart?.day != day { dayStart = (day, state.equity) }
        checkDrawdown(equity: state.equity, time: snapshot.time)
        refreshLeaderboard(state: state, time: snapshot.time)
    }

    /// Halts the account (reduce-only until an operator resumes it) when equity falls too far
    /// below its high-water mark.
    private func checkDrawdown(equity: FixedDecimal, time: Timestamp) {
        guard record.status == .active, let limit = gate.limits.max_drawdown_pct,
              let mark = equityStatistics.highWaterMark.map({ FixedDecimal.max($0, equity) }), mark.isPositive else { return }
        let drawdown = (mark - equity) * FixedDecimal(100) / mark
        guard drawdown >= limit else { return }
        let message = "\(record.name) reached its maximum drawdown of \(limit)% from the high-water mark \(mark.rounded(decimals: 2)); halted to reduce-only until an operator resumes it."
        setStatus(.halted, time: time, alert: message)
    }

    /// Why only reduce-only orders may pass now, if so.
    private func reduceOnlyReason(equity: FixedDecimal) -> String? {
        if record.status == .halted { return "\(record.name) is halted." }
        if let limit = gate.limits.daily_loss_limit, let start = dayStart, start.equity - equity >= limit {
            return "The daily loss limit of \(limit) USD is reached (equity \(equity.rounded(decimals: 2)) against \(start.equity.rounded(decimals: 2)) at the start of the UTC day)."
        }
        return nil
    }

    private func riskContext(market: MarketSnapshot, account: AccountState) -> RiskContext {
        let cutoff = market.time.milliseconds - 60_000
        recentOrderTimes.removeAll { $0 <= cutoff }
        let instruments = self.instruments
        return RiskContext(universe: record.symbols, account: account, market: market,
                           instruments: { instruments[$0] ?? Instrument.defaultInstrument(for: $0) },
                           reduceOnlyReason: reduceOnlyReason(equity: account.equity), blockedReason: tradingSwitch.haltReason,
                           ordersInLastMinute: recentOrderTimes.count)
    }

    /// Changes the account's status, stores it and tells the feed.
    private func setStatus(_ status: AccountStatus, time: Timestamp, alert: String?) {
        guard record.status != status else { return }
        record.status = status
        do {
            try ledger.setStatus(status, for: id, now: time)
        } catch {
            logger.error("could not store the account's status", metadata: ["error": "\(error)"])
        }
        if let alert {
            logger.warning("account status changed", metadata: ["status": "\(status.rawValue)", "reason": "\(alert)"])
            bus.publish(.alert, accountID: id, time: time, data: AlertView(kind: status.rawValue, message: alert))
        }
    }

    // MARK: Decisions

    /// Asks the driver for a decision, gates it, executes it and records it all.
    /// - Parameter indicators: The shared indicators of this market update.
    public func decide(indicators: [Symbol: SymbolIndicators] = [:]) async {
        guard record.status == .active || record.status == .halted, !isDeciding, let market = lastMarket else { return }
        isDeciding = true
        defer { isDeciding = false }
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
        let verdict = gate.evaluate(output.decision, in: riskContext(market: now, account: await executor.state()))
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
            if executor.mode == .paper {
                // The paper venue lives in this process and dies with it, so nothing it did can
                // outlive an unwritten ledger: the decision and its orders go in one transaction.
                var executions: [ExecutionRecord]? = []
                for order in orders {
                    events += await submit(order, origin: .driver, decisionID: nil, time: now.time, collected: &executions)
                }
                storeDecision(decisionRecord, justification: justification, actions: actions, executions: executions ?? [])
            } else {
                // A live venue acts on its own: store the decision first and each order as it happens.
                let decisionID = storeDecision(decisionRecord, justification: justification, actions: actions)
                for order in orders {
                    events += await submit(order, origin: .driver, decisionID: decisionID, time: now.time)
                }
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
                try writer.saveDriverState(state, for: id, now: now.time)
                record.driverState = state
            } catch {
                logger.error("could not save the driver's state", metadata: ["error": "\(error)"])
            }
        }
        await refreshLeaderboard(time: now.time)
    }

    /// Submits one gated order, records the outcome, places its exit triggers once it has filled,
    /// and returns every event.
    private func submit(_ gated: GatedOrder, origin: OrderOrigin, decisionID: Int64?, time: Timestamp) async -> [ExchangeEvent] {
        var unused: [ExecutionRecord]?
        return await submit(gated, origin: origin, decisionID: decisionID, time: time, collected: &unused)
    }

    /// Submits an order and its exit triggers; each executor call's changes are written (and
    /// published) at once when `collected` is nil, else appended to it for the caller to write
    /// and publish with its decision.
    private func submit(_ gated: GatedOrder, origin: OrderOrigin, decisionID: Int64?, time: Timestamp,
                        collected: inout [ExecutionRecord]?) async -> [ExchangeEvent] {
        let request = nextRequest(symbol: gated.symbol, side: gated.side, size: gated.size, type: gated.type,
                                  reduceOnly: gated.reduceOnly, origin: origin, time: time)
        var events = await executor.submit(request, leverage: gated.leverage, at: time)
        if collected != nil {
            collected?.append(await executionRecord(events, decisionID: decisionID, time: time))
        } else {
            await record(events, decisionID: decisionID, time: time)
        }
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
            if collected != nil {
                collected?.append(await executionRecord(exitEvents, decisionID: decisionID, time: time))
            } else {
                await record(exitEvents, decisionID: decisionID, time: time)
            }
            events += exitEvents
        }
        return events
    }

    /// The next order of this account, with its never-reused client order id.
    private func nextRequest(symbol: Symbol, side: Side, size: FixedDecimal, type: OrderType, reduceOnly: Bool,
                             origin: OrderOrigin, time: Timestamp) -> OrderRequest {
        orderSequence += 1
        recentOrderTimes.append(time.milliseconds)
        return OrderRequest(clientOrderID: ClientOrderID(account: id, sequence: orderSequence), symbol: symbol, side: side,
                            size: size, type: type, reduceOnly: reduceOnly, origin: origin)
    }

    // MARK: Operators

    /// Submits an operator's order through the same gate and executor as a driver's; a refused
    /// order is stored as rejected with its reason. Returns the events.
    public func submitOperatorOrder(_ gated: GatedOrder) async -> [ExchangeEvent] {
        guard let market = lastMarket else {
            return await refuse(gated, reason: "No market data yet; try again in a moment.", time: Timestamp(milliseconds: 0))
        }
        guard record.status != .archived else { return await refuse(gated, reason: "The account is archived.", time: market.time) }
        guard record.symbols.contains(gated.symbol) else {
            return await refuse(gated, reason: "\(gated.symbol) is not in this account's universe.", time: market.time)
        }
        let instrument = instrument(gated.symbol)
        guard instrument.isValidSize(gated.size) else {
            return await refuse(gated, reason: "Size must be positive with at most \(instrument.sizeDecimals) decimals for \(gated.symbol).",
                                time: market.time)
        }
        if let limit = gated.limit, !instrument.isValidPrice(limit.price) {
            return await refuse(gated, reason: "Price must be divisible by tick size.", time: market.time)
        }
        if let leverage = gated.leverage, !(1...min(gate.limits.max_leverage, instrument.maxLeverage)).contains(leverage) {
            return await refuse(gated, reason: "Leverage \(leverage)x is outside the account's limit.", time: market.time)
        }
        if let reason = gate.check([gated], in: riskContext(market: market, account: await executor.state())) {
            return await refuse(gated, reason: reason, time: market.time)
        }
        let events = await submit(gated, origin: .operator, decisionID: nil, time: market.time)
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
        await record(events, decisionID: nil, time: time)
        return events
    }

    /// Cancels every open order and closes every position at market with reduce-only orders.
    /// These orders pass even the kill switch: they only take risk off.
    public func closeAll(origin: OrderOrigin) async -> [ExchangeEvent] {
        guard let market = lastMarket else { return [] }
        var events: [ExchangeEvent] = []
        for order in await executor.activeOrders() {
            let cancelled = await executor.cancel(order.request.clientOrderID, at: market.time)
            await record(cancelled, decisionID: nil, time: market.time)
            events += cancelled
        }
        for position in await executor.state().positions.values.sorted(by: { $0.symbol < $1.symbol }) where !position.isFlat {
            let close = GatedOrder(symbol: position.symbol, side: position.size.isPositive ? .sell : .buy,
                                   size: position.size.magnitude, reduceOnly: true, leverage: nil)
            events += await submit(close, origin: origin, decisionID: nil, time: market.time)
        }
        await refreshLeaderboard(time: market.time)
        return events
    }

    /// Cancels one open order by its client order id.
    public func cancel(_ clientOrderID: ClientOrderID) async -> [ExchangeEvent] {
        let time = lastMarket?.time ?? Timestamp(milliseconds: 0)
        let events = await executor.cancel(clientOrderID, at: time)
        await record(events, decisionID: nil, time: time)
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
        let found = await executor.synchronize(at: time)
        if !found.isEmpty { await record(found, decisionID: nil, time: time) }
        if let market = lastMarket {
            let events = await executor.apply(market)
            if !events.isEmpty { await record(events, decisionID: nil, time: market.time) }
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
        gate = RiskGate(limits: limits)
    }

    /// Pauses, resumes (clearing a halt) or archives the account.
    public func changeStatus(_ status: AccountStatus, reason: String) {
        setStatus(status, time: lastMarket?.time ?? record.updatedAt, alert: reason)
        if let state = lastState { refreshLeaderboard(state: state, time: lastMarket?.time ?? record.updatedAt) }
        if status == .archived { leaderboard.remove(id) }
    }

    /// Writes a decision (and, for the paper venue, what its orders changed, in the same
    /// transaction), then publishes it and those changes; returns its id.
    @discardableResult
    private func storeDecision(_ decision: DecisionRecord, justification: String?, actions: [String],
                               executions: [ExecutionRecord]? = nil) -> Int64? {
        let decisionID: Int64
        do {
            if let executions {
                decisionID = try writer.recordDecision(decision, executions: executions)
            } else {
                decisionID = try writer.recordDecision(decision)
            }
        } catch {
            if let executions, !executions.isEmpty {
                // Its orders were placed on the venue, but neither they nor the decision are stored.
                logger.critical("could not store a decision and its orders; halting the account", metadata: ["error": "\(error)"])
                haltForLedgerFailure(time: decision.time)
                for execution in executions { publish(execution.events) }
            } else {
                logger.error("could not store a decision", metadata: ["error": "\(error)"])
            }
            return nil
        }
        decisionSummary.add(decision)
        bus.publish(.decision, accountID: id, time: decision.time, data: DecisionView(
            id: decisionID, account_id: id.rawValue, driver: decision.driverKind, model: decision.model,
            outcome: decision.outcome.rawValue, rejection_reason: decision.rejectionReason, justification: justification,
            actions: actions, latency_ms: decision.latencyMilliseconds, time: decision.time.milliseconds))
        for execution in executions ?? [] { publish(execution.events) }
        return decisionID
    }

    /// Writes the events to the ledger in one transaction, then publishes them.
    private func record(_ events: [ExchangeEvent], decisionID: Int64?, time: Timestamp) async {
        let execution = await executionRecord(events, decisionID: decisionID, time: time)
        do {
            try writer.recordExecution(execution)
        } catch {
            logger.critical("could not record an execution; halting the account", metadata: ["error": "\(error)"])
            haltForLedgerFailure(time: time)
        }
        publish(events)
    }

    /// What the events changed, as the ledger stores it; folds them into the running totals.
    private func executionRecord(_ events: [ExchangeEvent], decisionID: Int64?, time: Timestamp) async -> ExecutionRecord {
        let state = await executor.state()
        totals.add(events)
        var touched = Set<Symbol>()
        for event in events {
            if case .filled(let fill) = event { touched.insert(fill.symbol) }
        }
        let positions = touched.sorted().map { state.positions[$0] ?? Position(symbol: $0) }
        return ExecutionRecord(accountID: id, decisionID: decisionID, mode: executor.mode, events: events, cash: state.cash,
                               totals: totals, positions: positions, orderSequence: orderSequence, time: time)
    }

    /// The venue already acted but the ledger could not be written: the ledger must not silently
    /// diverge from it, so the account stops.
    private func haltForLedgerFailure(time: Timestamp) {
        record.status = .halted
        bus.publish(.alert, accountID: id, time: time, data: AlertView(
            kind: "halted", message: "\(record.name) was halted: its ledger could not be written. Check the database and restart."))
    }

    /// Tells the feed about stored events.
    private func publish(_ events: [ExchangeEvent]) {
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
                bus.publish(.alert, accountID: id, time: liquidation.time, data: AlertView(
                    kind: "liquidation", message: "\(record.name) was liquidated: account value \(liquidation.accountValue) fell below maintenance margin \(liquidation.maintenanceMargin).",
                    account_value: liquidation.accountValue.description, maintenance_margin: liquidation.maintenanceMargin.description))
            }
        }
    }

    // MARK: Snapshots and the leaderboard

    /// Takes an equity point for the curve, folds it into the statistics and publishes it;
    /// returns the point and the statistics to store with it.
    public func snapshot(time: Timestamp) async -> (SnapshotRecord, String) {
        let state = await executor.state()
        let snapshot = SnapshotRecord(accountID: id, time: time, equity: state.equity, cash: state.cash,
                                      unrealizedPnl: state.unrealizedPnl, marginUsed: state.marginUsed)
        equityStatistics.add(equity: state.equity, marginUsed: state.marginUsed, time: time)
        bus.publish(.snapshot, accountID: id, time: time, data: SnapshotView(
            account_id: id.rawValue, equity: state.equity.description, cash: state.cash.description,
            unrealized_pnl: state.unrealizedPnl.description, margin_used: state.marginUsed.description,
            return_pct: returnPercent(state.equity), time: time.milliseconds))
        refreshLeaderboard(state: state, time: time)
        return (snapshot, JSON.encode(equityStatistics))
    }

    private func returnPercent(_ equity: FixedDecimal) -> Double {
        guard record.initialCapital.isPositive else { return 0 }
        return ((equity - record.initialCapital) * FixedDecimal(100) / record.initialCapital).rounded(decimals: 4).doubleValue
    }

    private func refreshLeaderboard(time: Timestamp) async {
        refreshLeaderboard(state: await executor.state(), time: time)
    }

    private func refreshLeaderboard(state: AccountState, time: Timestamp) {
        let returnPct = returnPercent(state.equity)
        let cost = decisionSummary.costUSD
        var costPerReturn: String?
        if cost.isPositive, returnPct > 0, let percent = FixedDecimal(approximating: returnPct), percent.isPositive {
            costPerReturn = (cost / percent).rounded(decimals: 6).description
        }
        let decisions = decisionSummary.decisions
        leaderboard.update(LeaderboardEntry(
            account_id: id.rawValue, name: record.name, driver: record.driverKind, provider: record.provider, model: record.model,
            mode: executor.mode.rawValue, network: record.network.rawValue, status: record.status.rawValue,
            initial_capital: record.initialCapital.description, equity: state.equity.rounded(decimals: 6).description,
            cash: state.cash.rounded(decimals: 6).description, return_pct: returnPct,
            pnl: (state.equity - record.initialCapital).rounded(decimals: 6).description,
            realized_pnl: totals.realizedPnl.description, unrealized_pnl: state.unrealizedPnl.rounded(decimals: 6).description,
            fees: totals.feesPaid.description, funding: totals.funding.description, trades: totals.fillCount,
            closed_trades: totals.closedTrades, win_rate: totals.winRate.map { LeaderboardEntry.statistic($0 * 100) },
            biggest_win: totals.biggestWin?.description, biggest_loss: totals.biggestLoss?.description,
            sharpe: equityStatistics.sharpeRatio(snapshotIntervalMilliseconds: snapshotIntervalMilliseconds).map(LeaderboardEntry.statistic),
            max_drawdown_pct: LeaderboardEntry.statistic(equityStatistics.maxDrawdown * 100), volume: totals.volume.description,
            account_age_seconds: max(0, (time.milliseconds - record.createdAt.milliseconds) / 1000),
            avg_risk_ratio: equityStatistics.averageRiskRatio.map(LeaderboardEntry.statistic), decisions: decisions,
            hold_ratio: decisions == 0 ? nil : LeaderboardEntry.statistic(Double(decisionSummary.holds) * 100 / Double(decisions)),
            failed_decisions: decisionSummary.failed, rejected_decisions: decisionSummary.rejected,
            prompt_tokens: decisionSummary.promptTokens, completion_tokens: decisionSummary.completionTokens,
            llm_cost: cost.description, cost_per_return_pct: costPerReturn,
            open_positions: state.positions.values.filter { !$0.isFlat }.count, updated_at: time.milliseconds))
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
