public import ArenaCore

/// Running totals of everything that moved the account's cash, so that the ledger can be checked:
/// `balance` always equals the exchange's cash.
public struct PaperLedger: Sendable, Hashable {
    /// Starting (or restored) cash.
    public var deposits: FixedDecimal
    /// PnL realised by fills, before fees.
    public var realizedPnl: FixedDecimal = .zero
    /// Fees paid on fills.
    public var fees: FixedDecimal = .zero
    /// Funding received (positive) or paid (negative).
    public var funding: FixedDecimal = .zero

    /// Creates a ledger that starts from `deposits`.
    public init(deposits: FixedDecimal) { self.deposits = deposits }

    /// Deposits plus realised PnL, minus fees, plus funding.
    public var balance: FixedDecimal { deposits + realizedPnl - fees + funding }
}

/// A simulated Hyperliquid perpetuals account: it matches orders against the latest L2 books,
/// charges the venue's fees, pays hourly funding, fires triggers and liquidates, and reports
/// everything as the same `ExchangeEvent`s the live executor emits.
///
/// It is deterministic: time comes only from the snapshots and the `at:` arguments, randomness
/// only from the seed, and dictionaries are walked in symbol order. In each returned batch an
/// order's `.orderUpdated` comes before the `.filled` events it records.
public struct PaperExchange: Sendable {
    /// An order waiting for its simulated latency to pass.
    struct PendingOrder: Sendable {
        var order: Order
        var due: Timestamp
    }

    /// How this exchange behaves (only `setRealism` changes it after creation).
    public internal(set) var configuration: PaperExchangeConfiguration
    /// USDC balance: deposits plus realised PnL, minus fees, plus funding.
    public internal(set) var cash: FixedDecimal
    /// What moved the cash since the start or the last restore.
    public internal(set) var ledger: PaperLedger
    /// The time of the latest snapshot applied, if any.
    public internal(set) var lastSnapshotTime: Timestamp?

    var positions: [Symbol: Position] = [:]
    var leverages: [Symbol: Int] = [:]
    var matching = MatchingEngine()
    let fees: FeeModel
    var triggers = TriggerBook()
    /// Resting limit orders, oldest first (time priority).
    var resting: [Order] = []
    var pending: [PendingOrder] = []
    var random: RandomSource
    var nextVenueOrderID: Int64 = 1
    /// Scratch space for book walks, kept to avoid an allocation per order.
    var executions: [Execution] = []

    /// Creates an account holding `startingCash` USDC and no positions.
    /// - Parameters:
    ///   - configuration: fees, latency, instruments and realism.
    ///   - startingCash: the deposit.
    ///   - seed: the seed of every random draw (used only by the realism profile).
    public init(configuration: PaperExchangeConfiguration = PaperExchangeConfiguration(), startingCash: FixedDecimal, seed: UInt64) {
        self.configuration = configuration
        self.cash = startingCash
        self.ledger = PaperLedger(deposits: startingCash)
        self.fees = FeeModel(takerRate: configuration.takerFee, makerRate: configuration.makerFee)
        self.random = RandomSource(seed: seed)
        executions.reserveCapacity(32)
    }

    // MARK: - Reading the account

    /// Returns the account valued at the latest marks seen (a position without a mark is valued
    /// at its entry price).
    public func accountState() -> AccountState {
        var unrealized = FixedDecimal.zero
        var marginUsed = FixedDecimal.zero
        var hasFlat = false
        for position in positions.values {
            guard !position.isFlat else {
                hasFlat = true
                continue
            }
            let mark = markPrice(of: position)
            unrealized += position.unrealizedPnl(at: mark)
            marginUsed += position.initialMargin(at: mark)
        }
        // Asked for several times per market step: the exchange's own dictionary is shared (copied
        // only if it changes while the state is held) unless a flat position must be left out.
        let open = hasFlat ? positions.filter { !$0.value.isFlat } : positions
        return AccountState(cash: cash, positions: open, equity: cash + unrealized, unrealizedPnl: unrealized,
                            marginUsed: marginUsed, time: lastSnapshotTime ?? Timestamp(milliseconds: 0))
    }

    /// The orders not yet final: in flight, resting or waiting for a trigger, in placement order.
    public var openOrders: [Order] {
        var all = pending.map(\.order) + resting + triggers.orders
        all.sort { ($0.venueOrderID ?? 0) < ($1.venueOrderID ?? 0) }
        return all
    }

    /// Returns the position in `symbol`, if one is open.
    public func position(_ symbol: Symbol) -> Position? {
        guard let position = positions[symbol], !position.isFlat else { return nil }
        return position
    }

    /// Returns the leverage new margin in `symbol` is computed with.
    public func leverage(for symbol: Symbol) -> Int {
        leverage(for: symbol, instrument: configuration.instrument(for: symbol))
    }

    /// The leverage of `symbol` when its instrument is already at hand (saves a look-up per order).
    func leverage(for symbol: Symbol, instrument: Instrument) -> Int {
        leverages[symbol] ?? min(configuration.defaultLeverage, instrument.maxLeverage)
    }

    /// Returns the latest quote of `symbol`, if any snapshot carried one.
    public func quote(for symbol: Symbol) -> Quote? { matching.quote(for: symbol) }

    // MARK: - Settings and restart

    /// Sets the leverage of `symbol` for its position and future orders.
    /// - Throws: `PaperExchangeError.invalidLeverage` outside 1 to the coin's maximum;
    ///   `.insufficientMarginForLeverage` when the open position would need more margin than the
    ///   account has free.
    public mutating func setLeverage(_ leverage: Int, for symbol: Symbol) throws(PaperExchangeError) {
        let maximum = configuration.instrument(for: symbol).maxLeverage
        guard leverage >= 1, leverage <= maximum else {
            throw .invalidLeverage(symbol: symbol, requested: leverage, maximum: maximum)
        }
        let previous = leverages[symbol]
        leverages[symbol] = leverage
        if var position = positions[symbol] {
            let oldLeverage = position.leverage
            position.leverage = leverage
            positions[symbol] = position
            if leverage < oldLeverage, availableMargin().isNegative {
                position.leverage = oldLeverage
                positions[symbol] = position
                leverages[symbol] = previous
                throw .insufficientMarginForLeverage(symbol: symbol, requested: leverage)
            }
        }
    }

    /// Replaces the account's state with one rebuilt from a persisted ledger, as on a restart.
    ///
    /// The ledger totals restart from `cash`. Orders keep their status: `open` ones rest again,
    /// `waitingTrigger` ones wait again, `pending` ones match on the next snapshot.
    /// - Parameters:
    ///   - cash: the USDC balance.
    ///   - positions: open positions (their `leverage` becomes the coin's leverage).
    ///   - leverages: leverage settings of coins without a position.
    ///   - openOrders: orders that were not final.
    ///   - lastSnapshotTime: the time up to which funding was already paid.
    public mutating func restore(cash: FixedDecimal, positions: [Symbol: Position], leverages: [Symbol: Int] = [:],
                                 openOrders: [Order] = [], lastSnapshotTime: Timestamp? = nil) {
        self.cash = cash
        self.ledger = PaperLedger(deposits: cash)
        self.positions = positions.filter { !$0.value.isFlat }
        self.leverages = leverages
        for (symbol, position) in self.positions { self.leverages[symbol] = position.leverage }
        self.lastSnapshotTime = lastSnapshotTime
        resting = []
        pending = []
        triggers = TriggerBook()
        var highestID: Int64 = 0
        for order in openOrders.sorted(by: { ($0.venueOrderID ?? 0) < ($1.venueOrderID ?? 0) }) {
            var order = order
            if order.venueOrderID == nil {
                highestID += 1
                order.venueOrderID = highestID
            }
            highestID = max(highestID, order.venueOrderID ?? 0)
            switch order.status {
            case .open: resting.append(order)
            case .waitingTrigger: triggers.add(order)
            case .pending: pending.append(PendingOrder(order: order, due: lastSnapshotTime ?? order.submittedAt))
            case .filled, .partiallyFilled, .canceled, .rejected: continue
            }
        }
        nextVenueOrderID = highestID + 1
    }

    /// Switches the realism profile (nil for none) from the next order on: positions, orders in
    /// flight or resting, leverages and the random sequence stay as they are.
    public mutating func setRealism(_ profile: RealismProfile?) {
        configuration.realism = profile
    }

    // MARK: - Orders

    /// Submits an order and returns what happened to it: always its `.orderUpdated` (rejected
    /// with a reason, pending, resting, waiting for its trigger, filled or cancelled after a
    /// partial fill), then its fills. A rejected order changes nothing else.
    public mutating func submit(_ request: OrderRequest, at time: Timestamp) -> [ExchangeEvent] {
        var events: [ExchangeEvent] = []
        let instrument = configuration.instrument(for: request.symbol)
        let prices = matching.prices(for: request.symbol)
        var order = Order(request: request, status: .pending, submittedAt: time, midAtSubmission: prices?.mid)
        if let reason = staticRejection(of: request, size: request.size, instrument: instrument, prices: prices) {
            order.status = .rejected
            order.rejectionReason = reason
            events.append(.orderUpdated(order))
            return events
        }
        if case .trigger = request.type {
            if request.trailing != nil, let mark = prices?.mark {
                order.request = startingTrail(request, mark: mark, instrument: instrument)
            }
            order.status = .waitingTrigger
            assignVenueID(&order)
            triggers.add(order)
            events.append(.orderUpdated(order))
            return events
        }
        var delay = configuration.latency
        if let range = configuration.realism?.latencyRange { delay += random.next(in: range) }
        if delay > 0 {
            assignVenueID(&order)
            pending.append(PendingOrder(order: order, due: time.adding(milliseconds: delay)))
            events.append(.orderUpdated(order))
            return events
        }
        let terms = matchingTerms(of: request, instrument: instrument, reference: prices?.mid ?? .zero)
        if let reason = preMatchRejection(of: order, terms: terms, instrument: instrument) {
            order.status = .rejected
            order.rejectionReason = reason
            events.append(.orderUpdated(order))
            return events
        }
        assignVenueID(&order)
        match(order, terms: terms, instrument: instrument, time: time, noFillStatus: .rejected, into: &events)
        return events
    }

    /// Cancels an order that is in flight, resting or waiting for its trigger.
    /// - Throws: `PaperExchangeError.unknownOrder` when no open order has this id.
    public mutating func cancel(_ clientOrderID: ClientOrderID, at time: Timestamp) throws(PaperExchangeError) -> [ExchangeEvent] {
        var removed: Order?
        if let index = resting.firstIndex(where: { $0.request.clientOrderID == clientOrderID }) {
            removed = resting.remove(at: index)
        } else if let order = triggers.remove(clientOrderID) {
            removed = order
        } else if let index = pending.firstIndex(where: { $0.order.request.clientOrderID == clientOrderID }) {
            removed = pending.remove(at: index).order
        }
        guard var order = removed else { throw .unknownOrder(clientOrderID) }
        order.cancelRemainder(reason: nil, at: time)
        return [.orderUpdated(order)]
    }

    // MARK: - Helpers shared by the extensions

    mutating func assignVenueID(_ order: inout Order) {
        order.venueOrderID = nextVenueOrderID
        nextVenueOrderID += 1
    }

    func markPrice(of position: Position) -> FixedDecimal { Self.markPrice(of: position, in: matching) }

    /// The latest mark of the position's coin in `matching`, or its entry price before any quote.
    static func markPrice(of position: Position, in matching: MatchingEngine) -> FixedDecimal {
        matching.prices(for: position.symbol)?.mark ?? position.entryPrice
    }

    /// Cash plus unrealised PnL at the latest marks.
    func accountValue() -> FixedDecimal {
        var value = cash
        for position in positions.values where !position.isFlat {
            value += position.unrealizedPnl(at: markPrice(of: position))
        }
        return value
    }

    /// Account value minus the initial margin of positions and of resting orders that could add
    /// to a position: what a new order can still use.
    func availableMargin() -> FixedDecimal {
        var available = cash
        for position in positions.values where !position.isFlat {
            let mark = markPrice(of: position)
            available += position.unrealizedPnl(at: mark)
            available -= position.initialMargin(at: mark)
        }
        for order in resting where !order.request.reduceOnly {
            guard let price = Self.restingPrice(of: order.request) else { continue }
            available -= MarginRules.initialMargin(notional: price * order.remainingSize, leverage: leverage(for: order.request.symbol))
        }
        return available
    }

    /// The part of an order of `size` on `side` that would open or add to a position.
    func increasingSize(_ symbol: Symbol, side: Side, size: FixedDecimal) -> FixedDecimal {
        guard let current = positions[symbol]?.size, !current.isZero, current.isPositive != (side == .buy) else { return size }
        return FixedDecimal.max(.zero, size - current.magnitude)
    }

    /// How much of a reduce-only order on `side` may still fill: the open size it reduces.
    func reducibleSize(_ symbol: Symbol, side: Side) -> FixedDecimal {
        guard let current = positions[symbol]?.size, !current.isZero, current.isPositive != (side == .buy) else { return .zero }
        return current.magnitude
    }

    /// Books a fill: position, cash, ledger, the order's record and its `.filled` event.
    /// `leverage` is the coin's, `leverage(for:)`, which the caller computes once per order.
    mutating func book(_ execution: Execution, for order: inout Order, liquidity: Liquidity, fee explicitFee: FixedDecimal? = nil,
                       leverage: Int, time: Timestamp, isLiquidation: Bool = false, into events: inout [ExchangeEvent]) {
        let symbol = order.request.symbol
        let side = order.request.side
        let fee = explicitFee ?? fees.fee(price: execution.price, size: execution.size, liquidity: liquidity)
        // One hashing of the symbol per fill: update in place and remove by index when flat.
        let realized: FixedDecimal
        if let index = positions.index(forKey: symbol) {
            let (pnl, isFlat) = positions.values[index].apply(side: side, size: execution.size, price: execution.price, leverage: leverage)
            realized = pnl
            if isFlat { positions.remove(at: index) }
        } else {
            var position = Position(symbol: symbol, leverage: leverage)
            let (pnl, isFlat) = position.apply(side: side, size: execution.size, price: execution.price, leverage: leverage)
            realized = pnl
            if !isFlat { positions[symbol] = position }
        }
        cash += realized - fee
        ledger.realizedPnl += realized
        ledger.fees += fee
        let fill = Fill(clientOrderID: order.request.clientOrderID, symbol: symbol, side: side, price: execution.price,
                        size: execution.size, fee: fee, liquidity: liquidity, realizedPnl: realized, time: time,
                        isLiquidation: isLiquidation)
        order.record(fill)
        events.append(.filled(fill))
    }
}

extension Position {
    /// Applies a fill, sets the leverage, and returns the realised PnL and whether the position is now flat.
    mutating func apply(side: Side, size fillSize: FixedDecimal, price: FixedDecimal, leverage: Int) -> (FixedDecimal, Bool) {
        let realized = apply(side: side, size: fillSize, price: price)
        self.leverage = leverage
        return (realized, isFlat)
    }
}
