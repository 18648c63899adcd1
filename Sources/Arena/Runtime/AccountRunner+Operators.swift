import ArenaCore
import Drivers
import Storage

/// What operators (and the runtime, for mode switches and the kill switch) do to a running
/// account, through the same risk engine, executor and recording as its driver.
extension AccountRunner {
    /// Submits an operator's order through the same risk engine and executor as a driver's; a
    /// refused order is stored as rejected with its reason. Returns the events.
    public func submitOperatorOrder(_ gated: GatedOrder) async -> [ExchangeEvent] {
        guard let market = lastMarket else {
            return await refuse(gated, reason: "No market data yet; try again in a moment.", time: Timestamp(milliseconds: 0))
        }
        let account = RiskEngine.Account(name: record.name, status: record.status, symbols: record.symbols, state: await executor.state())
        var events: [ExchangeEvent] = []
        switch risk.evaluate(.operatorOrder(gated), account: account, market: market) {
        case .rejected(let reason):
            return await refuse(gated, reason: reason, time: market.time)
        case .hold:
            break
        case .orders(let orders):
            var batch = recording.batch()
            for order in orders { events += await submit(order, origin: .operator, in: &batch, time: market.time) }
        }
        publishStanding(state: await executor.state(), time: market.time)
        return events
    }

    /// Stores a refused order with its reason, changing nothing else.
    private func refuse(_ gated: GatedOrder, reason: String, time: Timestamp) async -> [ExchangeEvent] {
        let request = request(for: gated, origin: .operator, time: time)
        var order = Order(request: request, status: .rejected, submittedAt: time, midAtSubmission: lastMarket?[gated.symbol]?.mid)
        order.rejectionReason = reason
        let events = [ExchangeEvent.orderUpdated(order)]
        var batch = recording.batch()
        await record(events, in: &batch, time: time)
        return events
    }

    /// Cancels every open order and closes every position at market with reduce-only orders.
    /// These orders pass even the kill switch: they only take risk off.
    public func closeAll(origin: OrderOrigin) async -> [ExchangeEvent] {
        guard let market = lastMarket else { return [] }
        var events: [ExchangeEvent] = []
        var batch = recording.batch()
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
        publishStanding(state: await executor.state(), time: market.time)
        return events
    }

    /// Cancels one open order by its client order id.
    public func cancel(_ clientOrderID: ClientOrderID) async -> [ExchangeEvent] {
        let time = lastMarket?.time ?? Timestamp(milliseconds: 0)
        let events = await executor.cancel(clientOrderID, at: time)
        var batch = recording.batch()
        await record(events, in: &batch, time: time)
        return events
    }

    /// Swaps the executor between two decisions (waiting for one in flight to end), then records
    /// what the new one finds. Returns the executor it replaced.
    public func replaceExecutor(with newExecutor: any OrderExecutor, network: Network) async -> any OrderExecutor {
        while isDeciding { try? await Task.sleep(for: .milliseconds(20)) }
        let old = executor
        executor = newExecutor
        record.mode = newExecutor.mode
        record.network = network
        let time = lastMarket?.time ?? record.updatedAt
        var batch = recording.batch()
        let found = await executor.synchronize(at: time)
        await record(found, in: &batch, time: time)
        let unseenFills = found.filter { if case .filled = $0 { true } else { false } }.count
        if executor.mode == .live, unseenFills > 0 {
            // The venue traded while the ledger was not watching: a person should look.
            try? recording.alert(kind: "reconciliation_mismatch", message: "\(record.name): reconciling with the venue found \(unseenFills) fill(s) the ledger had not recorded; they are recorded now. Check the account's positions.", time: time)
        }
        if let market = lastMarket {
            await record(await executor.apply(market), in: &batch, time: market.time)
        }
        publishStanding(state: await executor.state(), time: time)
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

    /// Pauses, resumes (clearing a halt; the drawdown measure starts again from the equity now)
    /// or archives the account; `actor` (an admin token's name, or `system`) and `reason` are stored with it.
    public func changeStatus(_ status: AccountStatus, reason: String, actor: String = AccountRunner.systemActor) async {
        let time = lastMarket?.time ?? record.updatedAt
        let equity = await executor.state().equity
        transition(to: status, actor: actor, reason: reason, equity: equity, time: time)
        if let state = lastState { publishStanding(state: state, time: time) }
        if status == .archived { standings.leaderboard.remove(id) }
    }
}
