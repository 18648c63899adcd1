import Foundation
import ArenaCore
import Hyperliquid
import Logging

/// Live Hyperliquid as an executor: the same calls and the same `ExchangeEvent`s as the paper
/// exchange, so the runner, the ledger and the feed cannot tell them apart.
///
/// - Market orders are IOC limits at `Instrument.marketOrderPrice(reference:side:slippage:)` of the
///   mid (the SDK's rounding), so slippage is bounded (5% unless the order says otherwise).
/// - Take-profit and stop-loss orders are reduce-only triggers; a market trigger's worst price is
///   the trigger moved by the slippage bound.
/// - Leverage is set (`updateLeverage`) before an order whenever it differs from the venue's.
/// - Every order carries its `ClientOrderID` as the venue's cloid, so it is placed at most once;
///   an outcome no answer made clear leaves the order `pending` and makes the executor reconcile
///   (open orders, fills and positions from the venue, by cloid) before it trades again. It also
///   reconciles on its first market update or order.
/// - Fills (with the venue's fee and realised PnL), fills of resting orders, venue-side
///   cancellations and funding payments are polled at most every `pollIntervalMilliseconds` of
///   market time, to respect the venue's weight budget.
///
/// Account state: equity is the venue's `accountValue`; cash is equity minus the positions'
/// unrealised PnL (deposits plus realised PnL, minus fees, plus funding, as the paper exchange
/// keeps it), refreshed from `clearinghouseState`. Between refreshes the positions are revalued at
/// the newest marks, keeping the cash, so `equity == cash + unrealizedPnl` always holds.
public actor HyperliquidExecutor: OrderExecutor {
    /// How the executor trades and polls.
    public struct Configuration: Sendable {
        /// The slippage bound of market orders that do not carry their own.
        public var defaultSlippage: FixedDecimal
        /// Whether leverage is set for cross margin (isolated when false, or when the coin only
        /// allows isolated).
        public var crossMargin: Bool
        /// Market time between polls of fills, open orders and the account.
        public var pollIntervalMilliseconds: Int64
        /// Market time between polls of funding payments.
        public var fundingPollIntervalMilliseconds: Int64
        /// How often to look for the fills of an order the venue reports filled.
        public var fillLookupAttempts: Int
        /// The pause between those looks.
        public var fillLookupDelay: Duration
        /// The venue's dead-man switch: every open order is cancelled this long after the arena
        /// last pushed it forward (it does so at a third of the window); nil turns it off.
        public var deadManSwitchMilliseconds: Int64?

        /// Creates a configuration.
        public init(defaultSlippage: FixedDecimal = OrderType.defaultSlippageBound, crossMargin: Bool = true,
                    pollIntervalMilliseconds: Int64 = 10_000, fundingPollIntervalMilliseconds: Int64 = 60_000,
                    fillLookupAttempts: Int = 5, fillLookupDelay: Duration = .milliseconds(200),
                    deadManSwitchMilliseconds: Int64? = 120_000) {
            self.deadManSwitchMilliseconds = deadManSwitchMilliseconds.map { max(15_000, $0) }
            self.defaultSlippage = defaultSlippage
            self.crossMargin = crossMargin
            self.pollIntervalMilliseconds = pollIntervalMilliseconds
            self.fundingPollIntervalMilliseconds = fundingPollIntervalMilliseconds
            self.fillLookupAttempts = max(1, fillLookupAttempts)
            self.fillLookupDelay = fillLookupDelay
        }
    }

    private let exchange: HyperliquidExchangeClient
    private let universe: HyperliquidUniverse
    private let configuration: Configuration
    private let logger: Logger
    /// The venue's deadlines are wall-clock times.
    private let clock: any WallClock
    /// The cloid prefix of this arena account's orders (`0x` and its id's 16 hex digits), when known.
    private let clientOrderIDPrefix: String?

    /// Orders not yet final, by client order id.
    private var openOrders: [ClientOrderID: Order] = [:]
    /// Client order ids of the venue's order ids seen, to attribute fills.
    private var clientOrderIDs: [Int64: ClientOrderID] = [:]
    /// Orders reported filled whose fills were not all visible yet: their fills are emitted when
    /// they appear, without being counted into the order again.
    private var ordersAwaitingFills: Set<ClientOrderID> = []
    private var seenTradeIDs: Set<Int64> = []
    /// Fills at or before this time are already in the ledger.
    private var fillsAfter: Timestamp
    private var fundingAfter: Timestamp
    private var leverages: [Symbol: Int] = [:]
    private var venueState: AccountState
    private var lastMarket: MarketSnapshot?
    private var lastPoll: Timestamp?
    private var lastFundingPoll: Timestamp?
    /// When the arena last moved each trailing stop's venue trigger.
    private var trailingMovedAt: [ClientOrderID: Timestamp] = [:]
    /// Set until a reconciliation succeeds: at start-up and after any unclear outcome.
    public private(set) var needsReconciliation = true
    /// Orders a reconciliation found open at the venue that the executor did not follow (after
    /// `adoptLedger`: that the ledger did not hold as open), oldest first; they are followed and
    /// stored from then on, and the runtime reports them.
    public private(set) var ordersUnknownToLedger: [ClientOrderID] = []

    /// Creates an executor for one venue account.
    /// - Parameters:
    ///   - exchange: The account's exchange client (agent or own key; queries use its master or
    ///     vault address).
    ///   - universe: The venue's perpetuals.
    ///   - accountID: The arena account, whose id prefixes its cloids; its orders and fills are
    ///     told apart from others on the same venue account by it. Nil takes every order and fill.
    ///   - fillsAfter: Fills up to this time are already recorded (the ledger's newest fill);
    ///     later ones are reported by the first reconciliation.
    ///   - configuration: Slippage, margin mode and polling.
    ///   - logger: The account's logger.
    public init(exchange: HyperliquidExchangeClient, universe: HyperliquidUniverse, accountID: AccountID?, fillsAfter: Timestamp,
                configuration: Configuration = Configuration(), clock: any WallClock = SystemClock(), logger: Logger) {
        self.exchange = exchange
        self.clock = clock
        self.universe = universe
        self.configuration = configuration
        self.logger = logger
        self.fillsAfter = fillsAfter
        fundingAfter = fillsAfter
        clientOrderIDPrefix = accountID.map { String(ClientOrderID(account: $0, sequence: 0).hex.prefix(18)) }
        venueState = AccountState(cash: .zero, positions: [:], equity: .zero, unrealizedPnl: .zero, marginUsed: .zero, time: fillsAfter)
    }

    /// Live trading.
    public nonisolated var mode: AccountMode { .live }

    /// The venue acts on its own: a decision is stored before its first order goes out.
    public nonisolated var decisionCommit: DecisionCommit { .beforeOrders }

    /// The orders the executor is following (resting, waiting for a trigger, or unclear).
    public var trackedOrders: [Order] { openOrders.values.sorted { $0.submittedAt < $1.submittedAt } }

    public func activeOrders() -> [Order] { trackedOrders }

    /// When the dead-man switch was last pushed forward (market time).
    public private(set) var deadManRefreshedAt: Timestamp?

    /// Pushes the venue's scheduled cancel-all forward, so that if the arena stops, its orders
    /// are cancelled by the venue within the window; the venue's time is wall-clock time.
    private func refreshDeadManSwitch(at time: Timestamp) async {
        guard let window = configuration.deadManSwitchMilliseconds else { return }
        if let last = deadManRefreshedAt, time.milliseconds - last.milliseconds < window / 3 { return }
        let deadline = Timestamp(milliseconds: clock.now().milliseconds + window)
        do {
            try await exchange.scheduleCancel(at: deadline)
            deadManRefreshedAt = time
        } catch {
            logger.warning("could not push the dead-man switch forward", metadata: ["error": "\(error)"])
        }
    }

    public func synchronize(at time: Timestamp) async -> [ExchangeEvent] { await reconcile(at: time) }

    // MARK: OrderExecutor

    /// Takes the market update; when a poll is due (or a reconciliation is owed), reads the venue
    /// and returns what happened there: fills of resting orders, cancellations, funding.
    public func apply(_ snapshot: MarketSnapshot) async -> [ExchangeEvent] {
        lastMarket = snapshot
        await refreshDeadManSwitch(at: snapshot.time)
        let trailed = await trailStops(snapshot)
        if !trailed.isEmpty { return trailed + (await apply(afterTrailing: snapshot)) }
        return await apply(afterTrailing: snapshot)
    }

    private func apply(afterTrailing snapshot: MarketSnapshot) async -> [ExchangeEvent] {
        if needsReconciliation { return await reconcile(at: snapshot.time) }
        guard lastPoll.map({ snapshot.time.milliseconds - $0.milliseconds >= configuration.pollIntervalMilliseconds }) ?? true else {
            return []
        }
        return await poll(at: snapshot.time)
    }

    /// Sets the leverage when it differs from the venue's, then places the order and returns its
    /// `.orderUpdated` (rejected with the venue's words, open, waiting for its trigger, filled,
    /// cancelled after a partial IOC fill, or pending when unclear) followed by its fills.
    public func submit(_ request: OrderRequest, leverage: Int?, at time: Timestamp) async -> [ExchangeEvent] {
        var events: [ExchangeEvent] = []
        if needsReconciliation {
            events += await reconcile(at: time)
            guard !needsReconciliation else {
                return events + [rejected(request, at: time, reason: "The venue could not be reconciled; no order is placed until it can")]
            }
        }
        guard let asset = universe.asset(for: request.symbol) else {
            return events + [rejected(request, at: time, reason: "Hyperliquid does not list \(request.symbol)")]
        }
        // The risk engine has checked the leverage against the account's and the venue's limits.
        if let leverage, leverage != leverages[request.symbol] {
            do {
                try await exchange.updateLeverage(asset: asset.index, isCross: configuration.crossMargin && !asset.onlyIsolated, leverage: leverage)
                leverages[request.symbol] = leverage
            } catch {
                return events + [rejected(request, at: time, reason: "\(error)")]
            }
        }
        let mid = await referenceMid(request.symbol)
        let wire: OrderWire
        switch orderWire(for: request, asset: asset, mid: mid) {
        case .success(let built): wire = built
        case .failure(let reason): return events + [rejected(request, at: time, reason: reason.text)]
        }
        var order = Order(request: wire.reduceOnly == request.reduceOnly ? request : reduceOnly(request), status: .pending,
                          submittedAt: time, midAtSubmission: mid)
        let mark = lastMarket?[request.symbol]?.mark ?? mid ?? .zero
        if let reason = TriggerRules.refusal(of: request, mark: mark) ?? exitRefusal(of: request, mark: mark, instrument: asset.instrument) {
            return events + [rejected(request, at: time, reason: reason)]
        }
        // An entry's exits ride with it as the venue's own group (`normalTpsl`): the venue places
        // them when it fills and cancels one when the other fills. An exit on its own is tied to the
        // position (`positionTpsl`), which the venue cancels when the position closes.
        let exitWires = request.exits.map { exitWire($0, entry: request, asset: asset) }
        let grouping: OrderGrouping = !exitWires.isEmpty ? .normalTakeProfitStopLoss
            : isTrigger(request) && request.reduceOnly ? .positionTakeProfitStopLoss : .none
        let placement: OrderPlacement
        let exitPlacements: [OrderPlacement]
        do {
            let placements = try await exchange.placeOrders([wire] + exitWires, grouping: grouping)
            placement = placements.first ?? .unknown(reason: "the venue answered no status")
            exitPlacements = Array(placements.dropFirst())
        } catch {
            return events + [rejected(request, at: time, reason: "\(error)")]
        }
        var fills: [Fill] = []
        var otherEvents: [ExchangeEvent] = []
        switch placement {
        case .rejected(let reason):
            order.status = .rejected
            order.rejectionReason = reason
        case .resting(let venueOrderID):
            order.status = isTrigger(request) ? .waitingTrigger : .open
            order.venueOrderID = venueOrderID
        case .filled(let size, let averagePrice, let venueOrderID):
            order.venueOrderID = venueOrderID
            (fills, otherEvents) = await fillsOf(&order, expectedSize: size, averagePrice: averagePrice)
            if size >= request.size {
                order.status = .filled
            } else {
                // An IOC's remainder is cancelled at once; a resting order keeps the rest open.
                order.status = isImmediate(request) ? .partiallyFilled : .open
            }
        case .found(let status, let filledSize, let venueOrderID, let reason):
            order.venueOrderID = venueOrderID
            order.status = status == .canceled && filledSize.isPositive ? .partiallyFilled : status
            order.rejectionReason = reason
            if filledSize.isPositive { (fills, otherEvents) = await fillsOf(&order, expectedSize: filledSize, averagePrice: nil) }
        case .unknown(let reason):
            order.status = .pending
            needsReconciliation = true
            logger.warning("order outcome unclear; reconciling before trading again",
                           metadata: ["order.cloid": "\(request.clientOrderID)", "reason": "\(reason)"])
        }
        order.updatedAt = fills.last?.time ?? time
        if let venueOrderID = order.venueOrderID { clientOrderIDs[venueOrderID] = request.clientOrderID }
        if !order.status.isFinal { openOrders[request.clientOrderID] = order }
        events.append(.orderUpdated(order))
        events += fills.map(ExchangeEvent.filled)
        events += otherEvents
        events += recordExits(of: request, placements: exitPlacements, mark: mark, time: time)
        await refreshAccount()
        return events
    }

    /// The venue's account, revalued at the newest marks.
    public func state() -> AccountState {
        guard let market = lastMarket else { return venueState }
        var unrealized = FixedDecimal.zero
        var margin = FixedDecimal.zero
        for position in venueState.positions.values {
            guard let mark = market[position.symbol]?.mark else { return venueState }
            unrealized += position.unrealizedPnl(at: mark)
            margin += position.initialMargin(at: mark)
        }
        return AccountState(cash: venueState.cash, positions: venueState.positions, equity: venueState.cash + unrealized,
                            unrealizedPnl: unrealized, marginUsed: margin, time: max(venueState.time, market.time))
    }

    // MARK: Cancels

    /// Cancels an order by its client order id and returns its update: cancelled, or, when the
    /// venue refuses (it filled or was cancelled meanwhile), the venue's current view of it.
    public func cancel(_ clientOrderID: ClientOrderID, at time: Timestamp) async -> [ExchangeEvent] {
        guard var order = openOrders[clientOrderID], let asset = universe.asset(for: order.request.symbol) else { return [] }
        do {
            let results = try await exchange.cancel(byClientOrderID: [ClientCancel(asset: asset.index, clientOrderID: clientOrderID)])
            if results.first.flatMap({ $0 }) == nil {
                order.cancelRemainder(reason: nil, at: time)
                openOrders[clientOrderID] = nil
                return [.orderUpdated(order)] + (await pollFills(at: time))
            }
        } catch {
            logger.warning("cancel failed", metadata: ["order.cloid": "\(clientOrderID)", "error": "\(error)"])
            if let failure = error as? HyperliquidClientError, failure.isUnclearOutcome { needsReconciliation = true }
            return []
        }
        // Refused: the order is no longer open; find out what became of it.
        return await pollFills(at: time) + (await settle(clientOrderID, at: time))
    }

    // MARK: Reconciliation

    /// Takes what the ledger holds before the first reconciliation after a restart: its open
    /// orders, so that those the venue no longer has get their true status from the venue's order
    /// status and fills; and its newest fill and funding times, so that what happened while the
    /// arena was down is reported once and nothing twice.
    public func adoptLedger(openOrders orders: [Order], lastFill: Timestamp?, lastFunding: Timestamp?) {
        for order in orders where !order.status.isFinal {
            let id = order.request.clientOrderID
            openOrders[id] = order
            if let venueID = order.venueOrderID { clientOrderIDs[venueID] = id }
        }
        if let since = lastFill ?? orders.map(\.submittedAt).min(), since < fillsAfter { fillsAfter = since }
        if let lastFunding, lastFunding < fundingAfter { fundingAfter = lastFunding }
        needsReconciliation = true
    }

    /// Forgets the orders reported as unknown to the ledger (once the runtime has reported them).
    public func clearUnknownOrders() { ordersUnknownToLedger.removeAll() }

    /// Reads open orders, fills and positions from the venue and returns what the executor did
    /// not know: orders found open (for example after a restart), orders that ended meanwhile,
    /// fills not yet reported. Clears `needsReconciliation` when the venue could be read.
    public func reconcile(at time: Timestamp) async -> [ExchangeEvent] {
        let venueOpen: [FrontendOrderWire]
        do {
            venueOpen = try await exchange.info.frontendOpenOrders(user: exchange.queriedAddress)
        } catch {
            logger.warning("reconciliation failed: open orders unreadable", metadata: ["error": "\(error)"])
            needsReconciliation = true
            return []
        }
        var events: [ExchangeEvent] = []
        var openAtVenue = Set<ClientOrderID>()
        for wire in venueOpen {
            guard let cloid = wire.cloid, isOurs(cloid), var order = try? HyperliquidConversion.order(wire, status: nil, universe: universe) else {
                continue
            }
            let id = order.request.clientOrderID
            openAtVenue.insert(id)
            clientOrderIDs[wire.oid] = id
            if let known = openOrders[id] {
                // Our own fill records stay the count; the venue gives the status and its id.
                order.midAtSubmission = known.midAtSubmission
                order.submittedAt = known.submittedAt
                order.filledSize = known.filledSize
                order.averageFillPrice = known.averageFillPrice
                order.fee = known.fee
                // What only the arena knows: who asked, the exit group, the plan and a trailing stop's state.
                order.request.origin = known.request.origin
                order.request.group = known.request.group
                order.request.exits = known.request.exits
                order.request.trailing = known.request.trailing
                // The venue sizes an entry's exits to what the entry filled.
                if known.status == order.status, known.venueOrderID == order.venueOrderID, known.request.size == order.request.size {
                    continue
                }
            } else {
                ordersUnknownToLedger.append(id)
                logger.warning("an order open at the venue was not held by the ledger as open; following it from now",
                               metadata: ["cloid": "\(id.hex)"])
                if order.filledSize.isPositive {
                    // Found after a restart, partly filled: its earlier fills are in the ledger, so new
                    // fills are reported without being counted into it again.
                    ordersAwaitingFills.insert(id)
                }
            }
            order.updatedAt = time
            openOrders[id] = order
            events.append(.orderUpdated(order))
        }
        events += await pollFills(at: time)
        for id in openOrders.keys.sorted(by: { $0.hex < $1.hex }) where !openAtVenue.contains(id) {
            events += await settle(id, at: time)
        }
        guard await refreshAccount() else {
            needsReconciliation = true
            return events
        }
        needsReconciliation = openOrders.values.contains { $0.status == .pending }
        lastPoll = time
        return events
    }

    // MARK: Polling

    private func poll(at time: Timestamp) async -> [ExchangeEvent] {
        lastPoll = time
        var events: [ExchangeEvent] = []
        if !openOrders.isEmpty { events += await reconcileOpenOrders(at: time) }
        if lastFundingPoll.map({ time.milliseconds - $0.milliseconds >= configuration.fundingPollIntervalMilliseconds }) ?? true {
            lastFundingPoll = time
            events += await pollFunding()
        }
        await refreshAccount()
        return events
    }

    private func reconcileOpenOrders(at time: Timestamp) async -> [ExchangeEvent] {
        var events = await pollFills(at: time)
        guard let venueOpen = try? await exchange.info.frontendOpenOrders(user: exchange.queriedAddress) else { return events }
        let stillOpen = Set(venueOpen.compactMap { $0.cloid.flatMap(ClientOrderID.init(hex:)) })
        for id in openOrders.keys.sorted(by: { $0.hex < $1.hex }) where !stillOpen.contains(id) {
            events += await settle(id, at: time)
        }
        return events
    }

    /// Reports the new fills of our orders, counting them into the orders they belong to.
    private func pollFills(at time: Timestamp) async -> [ExchangeEvent] {
        absorb(await newFills())
    }

    /// Returns the fills of our orders not reported yet, oldest first, and marks them reported.
    private func newFills() async -> [Fill] {
        guard let wires = try? await exchange.info.userFills(user: exchange.queriedAddress) else { return [] }
        var fills: [Fill] = []
        for wire in wires.sorted(by: { ($0.time, $0.tid) < ($1.time, $1.tid) }) {
            guard wire.time > fillsAfter.milliseconds, !seenTradeIDs.contains(wire.tid),
                  let id = wire.cloid.flatMap(ClientOrderID.init(hex:)) ?? clientOrderIDs[wire.oid], isOurs(id.hex),
                  let fill = try? HyperliquidConversion.fill(wire, universe: universe, clientOrderID: id)
            else { continue }
            seenTradeIDs.insert(wire.tid)
            fills.append(fill)
        }
        return fills
    }

    /// Counts fills into their open orders and returns the events: each order's update, then the fill.
    private func absorb(_ fills: [Fill]) -> [ExchangeEvent] {
        var events: [ExchangeEvent] = []
        for fill in fills {
            let id = fill.clientOrderID
            if var order = openOrders[id], !ordersAwaitingFills.contains(id) {
                order.record(fill)
                if order.filledSize >= order.request.size {
                    order.status = .filled
                    openOrders[id] = nil
                } else {
                    openOrders[id] = order
                }
                events.append(.orderUpdated(order))
            }
            events.append(.filled(fill))
        }
        return events
    }

    /// Asks the venue what became of an order that is no longer open and reports its final state.
    private func settle(_ id: ClientOrderID, at time: Timestamp) async -> [ExchangeEvent] {
        guard var order = openOrders[id] else { return [] }
        guard let answer = try? await exchange.info.orderStatus(user: exchange.queriedAddress, order: .client(id)) else { return [] }
        guard answer.status == "order", let entry = answer.order else {
            // The venue never saw it: an unclear submission that did not arrive.
            guard order.status == .pending else { return [] }
            order.status = .rejected
            order.rejectionReason = "The order never reached the venue"
            order.updatedAt = time
            openOrders[id] = nil
            return [.orderUpdated(order)]
        }
        clientOrderIDs[entry.order.oid] = id
        order.venueOrderID = entry.order.oid
        openOrders[id] = order
        var events: [ExchangeEvent] = []
        if order.status == .pending {
            // Its fills could not be attributed before its venue id was known.
            events += await pollFills(at: time)
            guard let updated = openOrders[id] else { return events }
            order = updated
        }
        let status = HyperliquidConversion.orderStatus(entry.status, isTrigger: entry.order.isTrigger == true)
        guard status != order.status else { return events }
        order.status = status == .canceled && order.filledSize.isPositive ? .partiallyFilled : status
        if status == .rejected || status == .canceled, entry.status != "canceled" { order.rejectionReason = entry.status }
        if status == .filled { order.filledSize = max(order.filledSize, order.request.size) }
        order.updatedAt = Timestamp(milliseconds: entry.statusTimestamp)
        openOrders[id] = status.isFinal ? nil : order
        if status.isFinal { ordersAwaitingFills.remove(id) }
        return events + [.orderUpdated(order)]
    }

    private func pollFunding() async -> [ExchangeEvent] {
        guard let wires = try? await exchange.info.userFunding(user: exchange.queriedAddress, startTime: fundingAfter.adding(milliseconds: 1)) else {
            return []
        }
        var events: [ExchangeEvent] = []
        for wire in wires.sorted(by: { $0.time < $1.time }) where wire.time > fundingAfter.milliseconds {
            guard let payment = try? HyperliquidConversion.funding(wire, universe: universe) else { continue }
            events.append(.fundingPaid(payment))
        }
        if let newest = wires.map(\.time).max(), newest > fundingAfter.milliseconds { fundingAfter = Timestamp(milliseconds: newest) }
        return events
    }

    /// Reads the account; returns whether it could.
    @discardableResult
    private func refreshAccount() async -> Bool {
        do {
            let wire = try await exchange.info.clearinghouseState(user: exchange.queriedAddress)
            venueState = try HyperliquidConversion.accountState(wire, universe: universe)
            for entry in wire.assetPositions {
                if let symbol = universe.symbol(forCoin: entry.position.coin) { leverages[symbol] = entry.position.leverage.value }
            }
            return true
        } catch {
            logger.warning("could not read the venue account", metadata: ["error": "\(error)"])
            return false
        }
    }

    // MARK: Orders

    /// Looks for the fills of a just-filled order, a few times, and counts them into it; when they
    /// do not all show, the order takes the venue's totals and the fills follow by polling. Returns
    /// the order's fills and the events of other orders' fills found on the way.
    private func fillsOf(_ order: inout Order, expectedSize: FixedDecimal, averagePrice: FixedDecimal?) async -> ([Fill], [ExchangeEvent]) {
        let id = order.request.clientOrderID
        if let venueOrderID = order.venueOrderID { clientOrderIDs[venueOrderID] = id }
        var own: [Fill] = []
        var others: [ExchangeEvent] = []
        var recorded = order
        for attempt in 0..<configuration.fillLookupAttempts {
            if attempt > 0 { try? await Task.sleep(for: configuration.fillLookupDelay) }
            var foreign: [Fill] = []
            for fill in await newFills() {
                if fill.clientOrderID == id {
                    own.append(fill)
                    recorded.record(fill)
                } else {
                    foreign.append(fill)
                }
            }
            others += absorb(foreign)
            if recorded.filledSize >= expectedSize { break }
        }
        if recorded.filledSize >= expectedSize {
            order = recorded
        } else {
            ordersAwaitingFills.insert(id)
            order.filledSize = expectedSize
            order.averageFillPrice = averagePrice ?? recorded.averageFillPrice
            order.fee = recorded.fee
        }
        return (own, others)
    }

    private enum WireFailure: Error { case reason(String)
        var text: String { switch self { case .reason(let text): text } }
    }

    private func orderWire(for request: OrderRequest, asset: HyperliquidUniverse.Asset, mid: FixedDecimal?) -> Result<OrderWire, WireFailure> {
        let instrument = asset.instrument
        let isBuy = request.side == .buy
        switch request.type {
        case .market(let bound):
            let slippage = bound.isPositive ? bound : configuration.defaultSlippage
            guard slippage.isPositive, slippage < .one else { return .failure(.reason("Market order slippage bound must be above 0 and below 1")) }
            guard let mid, mid.isPositive else { return .failure(.reason("No market price available for \(request.symbol)")) }
            return .success(OrderWire(asset: asset.index, isBuy: isBuy, price: instrument.marketOrderPrice(reference: mid, side: request.side, slippage: slippage),
                                      size: request.size, reduceOnly: request.reduceOnly, type: .limit(.ioc), clientOrderID: request.clientOrderID))
        case .limit(let price, let timeInForce):
            return .success(OrderWire(asset: asset.index, isBuy: isBuy, price: price, size: request.size, reduceOnly: request.reduceOnly,
                                      type: .limit(timeInForce), clientOrderID: request.clientOrderID))
        case .trigger(let triggerPrice, let kind, let limitPrice):
            guard triggerPrice.isPositive else { return .failure(.reason("Trigger price must be positive")) }
            let worst = limitPrice ?? instrument.marketOrderPrice(reference: triggerPrice, side: request.side, slippage: configuration.defaultSlippage)
            return .success(OrderWire(asset: asset.index, isBuy: isBuy, price: worst, size: request.size, reduceOnly: true,
                                      type: .trigger(isMarket: limitPrice == nil, triggerPrice: triggerPrice, kind: kind),
                                      clientOrderID: request.clientOrderID))
        }
    }

    /// The mid a market order's price is bounded from: the newest snapshot's, else the venue's.
    private func referenceMid(_ symbol: Symbol) async -> FixedDecimal? {
        if let mid = lastMarket?[symbol]?.mid, mid.isPositive { return mid }
        guard let coin = universe.asset(for: symbol)?.coin, let mids = try? await exchange.info.allMids() else { return nil }
        return mids[coin].flatMap(FixedDecimal.init)
    }

    private func rejected(_ request: OrderRequest, at time: Timestamp, reason: String) -> ExchangeEvent {
        var order = Order(request: request, status: .rejected, submittedAt: time, midAtSubmission: lastMarket?[request.symbol]?.mid)
        order.rejectionReason = reason
        return .orderUpdated(order)
    }

    private func reduceOnly(_ request: OrderRequest) -> OrderRequest {
        var copy = request
        copy.reduceOnly = true
        return copy
    }

    private func isTrigger(_ request: OrderRequest) -> Bool {
        if case .trigger = request.type { true } else { false }
    }

    /// Whether the order's unfilled remainder is cancelled at once (market and IOC orders).
    private func isImmediate(_ request: OrderRequest) -> Bool {
        switch request.type {
        case .market: true
        case .limit(_, let timeInForce): timeInForce == .ioc
        case .trigger: false
        }
    }

    private func isOurs(_ cloidHex: String) -> Bool {
        guard let prefix = clientOrderIDPrefix else { return true }
        return cloidHex.lowercased().hasPrefix(prefix)
    }
}

// MARK: - Exits

extension HyperliquidExecutor {
    /// Why an entry's exits cannot be sent with the mark at `mark`; nil when they can.
    private func exitRefusal(of request: OrderRequest, mark: FixedDecimal, instrument: Instrument) -> String? {
        for leg in request.exits where leg.trailing == nil {
            guard instrument.isValidPrice(leg.triggerPrice), leg.limitPrice.map(instrument.isValidPrice) ?? true else {
                return "Price must be divisible by tick size"
            }
            if let reason = TriggerRules.refusal(side: request.side.opposite, kind: leg.kind, triggerPrice: leg.triggerPrice,
                                                 limitPrice: leg.limitPrice, mark: mark) {
                return reason
            }
        }
        return nil
    }

    /// The wire of one exit of `entry`: a reduce-only trigger of the entry's size; a market exit's
    /// worst price is its trigger moved by the slippage bound.
    private func exitWire(_ leg: ExitLeg, entry: OrderRequest, asset: HyperliquidUniverse.Asset) -> OrderWire {
        let side = entry.side.opposite
        let worst = leg.limitPrice
            ?? asset.instrument.marketOrderPrice(reference: leg.triggerPrice, side: side, slippage: configuration.defaultSlippage)
        return OrderWire(asset: asset.index, isBuy: side == .buy, price: worst, size: entry.size, reduceOnly: true,
                         type: .trigger(isMarket: leg.limitPrice == nil, triggerPrice: leg.triggerPrice, kind: leg.kind),
                         clientOrderID: leg.clientOrderID)
    }

    /// The records of an entry's exits as the venue answered for them: waiting (for the entry to
    /// fill, then for their price), refused with the venue's words, or unclear.
    private func recordExits(of entry: OrderRequest, placements: [OrderPlacement], mark: FixedDecimal, time: Timestamp) -> [ExchangeEvent] {
        var events: [ExchangeEvent] = []
        for (leg, placement) in zip(entry.exits, placements) {
            let request = leg.request(symbol: entry.symbol, entrySide: entry.side, size: entry.size, group: entry.clientOrderID,
                                      mark: mark, origin: entry.origin)
            var order = Order(request: request, status: .waitingTrigger, submittedAt: time, midAtSubmission: lastMarket?[entry.symbol]?.mid)
            switch placement {
            case .resting(let venueOrderID):
                order.venueOrderID = venueOrderID
            case .filled(_, _, let venueOrderID):
                order.venueOrderID = venueOrderID
            case .rejected(let reason):
                order.status = .rejected
                order.rejectionReason = reason
            case .found(let status, _, let venueOrderID, let reason):
                order.status = status
                order.venueOrderID = venueOrderID
                order.rejectionReason = reason
            case .unknown:
                order.status = .pending
                needsReconciliation = true
            }
            if let venueOrderID = order.venueOrderID { clientOrderIDs[venueOrderID] = request.clientOrderID }
            if !order.status.isFinal { openOrders[request.clientOrderID] = order }
            events.append(.orderUpdated(order))
        }
        return events
    }

    /// Trailing stops live are run by the arena: the venue holds a plain stop, and when the mark
    /// makes a new best the arena moves the venue's trigger with `modify`, at most once per poll
    /// interval per stop (the modify counts against the shared request budget). Each move is
    /// reported as the order's update, with the note that the arena moved it.
    private func trailStops(_ snapshot: MarketSnapshot) async -> [ExchangeEvent] {
        var events: [ExchangeEvent] = []
        for id in openOrders.keys.sorted(by: { $0.hex < $1.hex }) {
            guard var order = openOrders[id], order.status == .waitingTrigger, var trailing = order.request.trailing,
                  let mark = snapshot[order.request.symbol]?.mark, case let .trigger(oldTrigger, kind, limit) = order.request.type,
                  let asset = universe.asset(for: order.request.symbol) else { continue }
            _ = trailing.follow(mark, side: order.request.side)
            order.request.trailing = trailing
            openOrders[id] = order
            let stop = trailing.distance.stopPrice(anchor: trailing.anchor, side: order.request.side, instrument: asset.instrument)
            let better = order.request.side == .sell ? stop > oldTrigger : stop < oldTrigger
            guard better else { continue }
            if let last = trailingMovedAt[id], snapshot.time.milliseconds - last.milliseconds < configuration.pollIntervalMilliseconds {
                continue
            }
            var moved = order.request
            moved.type = .trigger(triggerPrice: stop, kind: kind, limitPrice: limit)
            let worst = limit ?? asset.instrument.marketOrderPrice(reference: stop, side: moved.side, slippage: configuration.defaultSlippage)
            let wire = OrderWire(asset: asset.index, isBuy: moved.side == .buy, price: worst, size: moved.size, reduceOnly: true,
                                 type: .trigger(isMarket: limit == nil, triggerPrice: stop, kind: kind), clientOrderID: id)
            do {
                try await exchange.modify(OrderModification(orderReference: .client(id), order: wire))
            } catch {
                logger.warning("could not move a trailing stop", metadata: ["order.cloid": "\(id)", "error": "\(error)"])
                continue
            }
            trailingMovedAt[id] = snapshot.time
            order.request = moved
            order.rejectionReason = Self.trailingNote
            order.updatedAt = snapshot.time
            openOrders[id] = order
            events.append(.orderUpdated(order))
        }
        return events
    }

    /// What the record of a live trailing stop says about who moves it.
    public static let trailingNote = "Trailing stop run by the arena: the venue holds a stop whose trigger the arena moves (modify) as the mark makes new bests"
}
