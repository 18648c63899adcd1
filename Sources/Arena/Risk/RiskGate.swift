import ArenaCore

/// What the gate needs to know beyond the decision: the account, the market and what holds it back.
public struct RiskContext: Sendable {
    public var universe: [Symbol]
    public var account: AccountState
    public var market: MarketSnapshot
    public var instruments: @Sendable (Symbol) -> Instrument
    /// Why only reduce-only orders may pass now (a loss limit, a drawdown, a halted account), if so.
    public var reduceOnlyReason: String?
    /// Why no order may pass at all (the kill switch), if so.
    public var blockedReason: String?
    /// Orders the account sent in the last minute of market time.
    public var ordersInLastMinute: Int

    public init(universe: [Symbol], account: AccountState, market: MarketSnapshot, instruments: @escaping @Sendable (Symbol) -> Instrument,
                reduceOnlyReason: String? = nil, blockedReason: String? = nil, ordersInLastMinute: Int = 0) {
        self.universe = universe
        self.account = account
        self.market = market
        self.instruments = instruments
        self.reduceOnlyReason = reduceOnlyReason
        self.blockedReason = blockedReason
        self.ordersInLastMinute = ordersInLastMinute
    }
}

/// An order the gate let through, with the leverage to set first.
public struct GatedOrder: Sendable, Hashable {
    public var symbol: Symbol
    public var side: Side
    public var size: FixedDecimal
    public var reduceOnly: Bool
    public var leverage: Int?
    /// A limit order's price and time in force; nil sends a market order.
    public var limit: (price: FixedDecimal, timeInForce: TimeInForce)? {
        get { limitPrice.map { ($0, limitTimeInForce ?? .gtc) } }
        set { limitPrice = newValue?.price; limitTimeInForce = newValue?.timeInForce }
    }
    private var limitPrice: FixedDecimal?
    private var limitTimeInForce: TimeInForce?
    /// Exit triggers placed, reduce-only, once the order has filled.
    public var takeProfit: FixedDecimal?
    public var stopLoss: FixedDecimal?
    /// Exit types beyond market take-profit and stop-loss, or the terms of an order that is itself an exit.
    public var exits = ExitTerms()

    public init(symbol: Symbol, side: Side, size: FixedDecimal, reduceOnly: Bool, leverage: Int?,
                takeProfit: FixedDecimal? = nil, stopLoss: FixedDecimal? = nil) {
        self.symbol = symbol
        self.side = side
        self.size = size
        self.reduceOnly = reduceOnly
        self.leverage = leverage
        self.takeProfit = takeProfit
        self.stopLoss = stopLoss
    }

    /// The order type to send.
    public var type: OrderType {
        if let limit { return .limit(price: limit.price, timeInForce: limit.timeInForce) }
        return .market(slippageBound: OrderType.defaultSlippageBound)
    }
}

/// The stateless rules: turns a driver's decision into orders, or refuses it with a reason.
/// `RiskEngine` is the one entry point that applies them with the account's risk state.
///
/// A decision is all or nothing: if any instruction breaks a rule, nothing trades and the whole
/// decision is stored as rejected with the first reason found.
public struct RiskGate: Sendable {
    public var limits: RiskLimits

    public init(limits: RiskLimits) { self.limits = limits }

    /// The verdict on one decision.
    public enum Verdict: Sendable, Hashable {
        case orders([GatedOrder])
        case hold
        case rejected(String)
    }

    /// Checks `decision` against the account's universe, limits, the venue's rules and the market.
    public func evaluate(_ decision: Decision, in context: RiskContext) -> Verdict {
        let verdict = evaluateInstructions(decision, in: context)
        guard case .orders(let orders) = verdict else { return verdict }
        return check(orders, in: context).map(Verdict.rejected) ?? verdict
    }

    /// Checks orders (a decision's or an operator's) against the limits that concern them as a
    /// whole: the kill switch, reduce-only halts, the order rate and total notional.
    public func check(_ orders: [GatedOrder], in context: RiskContext) -> String? {
        if let blocked = context.blockedReason { return blocked }
        if let reason = context.reduceOnlyReason, let opening = orders.first(where: { !$0.reduceOnly }) {
            return "\(reason) Only reduce-only orders are allowed; refused \(opening.side.rawValue) \(opening.size) \(opening.symbol)."
        }
        var sizes = context.account.positions.mapValues(\.size)
        for order in orders {
            let before = sizes[order.symbol] ?? .zero
            let after = before + (order.side == .buy ? order.size : -order.size)
            sizes[order.symbol] = after
            guard let cap = limits.max_position_notional, after.magnitude > before.magnitude,
                  let price = context.market[order.symbol]?.mid else { continue }
            let notional = (after * price).magnitude
            if notional > cap {
                return "The \(order.symbol) position would be \(notional.rounded(decimals: 2)) USD, above the account's limit of \(cap) USD."
            }
        }
        if let limit = limits.max_orders_per_minute, context.ordersInLastMinute + orders.count > limit {
            return "Order rate limit: at most \(limit) orders per minute (\(context.ordersInLastMinute) sent in the last minute)."
        }
        if let cap = limits.max_total_notional {
            var total = FixedDecimal.zero
            for (symbol, size) in sizes {
                guard let mark = context.market[symbol]?.mark else { continue }
                total += (size * mark).magnitude
            }
            let before = context.account.positions.values.reduce(FixedDecimal.zero) { sum, position in
                sum + (context.market[position.symbol].map { position.notional(at: $0.mark) } ?? .zero)
            }
            if total > cap && total > before {
                return "Total notional would be \(total.rounded(decimals: 2)) USD, above the account's limit of \(cap) USD."
            }
        }
        return nil
    }

    private func evaluateInstructions(_ decision: Decision, in context: RiskContext) -> Verdict {
        let universe = context.universe
        let account = context.account
        let market = context.market
        let instruments = context.instruments
        var orders: [GatedOrder] = []
        var seen: Set<Symbol> = []
        // Symbols whose instructions so far are all rebalances: a rule-based driver may send several
        // in a row, one per step of its rules, each measured from the position the previous leaves.
        var rebalancing: Set<Symbol> = []
        var planned: [Symbol: FixedDecimal] = [:]
        for instruction in decision.instructions {
            let symbol = instruction.symbol
            guard universe.contains(symbol) else {
                return .rejected("\(symbol) is not in this account's universe (\(universe.map(\.name).joined(separator: ", "))).")
            }
            if !seen.insert(symbol).inserted {
                guard instruction.action == .rebalance, rebalancing.contains(symbol) else {
                    return .rejected("\(symbol) appears twice in one decision.")
                }
            } else if instruction.action == .rebalance {
                rebalancing.insert(symbol)
            }
            let instrument = instruments(symbol)
            let position = account.positions[symbol]
            switch instruction.action {
            case .hold:
                continue
            case .close:
                guard let position, !position.isFlat else { continue }
                orders.append(GatedOrder(symbol: symbol, side: position.size.isPositive ? .sell : .buy,
                                         size: position.size.magnitude, reduceOnly: true, leverage: nil))
            case .rebalance:
                guard let target = instruction.targetSize else { return .rejected("rebalance for \(symbol) has no target_size.") }
                let leverage = instruction.leverage ?? 1
                let allowed = min(limits.max_leverage, instrument.maxLeverage)
                guard (1...allowed).contains(leverage) else {
                    return .rejected("Leverage \(leverage)x for \(symbol) is outside the account's limit of 1 to \(allowed)x.")
                }
                guard let quote = market[symbol], quote.mid.isPositive else { return .rejected("No market price for \(symbol).") }
                let current = planned[symbol] ?? position?.size ?? .zero
                let roundedTarget = target.isNegative ? -instrument.roundSize(target.magnitude) : instrument.roundSize(target)
                let crossesZero = !current.isZero && !roundedTarget.isZero && current.signum != roundedTarget.signum
                if crossesZero {
                    orders.append(GatedOrder(symbol: symbol, side: current.isPositive ? .sell : .buy, size: current.magnitude,
                                             reduceOnly: true, leverage: nil))
                    orders.append(GatedOrder(symbol: symbol, side: roundedTarget.isPositive ? .buy : .sell,
                                             size: roundedTarget.magnitude, reduceOnly: false, leverage: leverage))
                    planned[symbol] = roundedTarget
                } else {
                    let delta = roundedTarget - current
                    guard !delta.isZero else { continue }
                    // Deltas below the venue's minimum order value wait until they grow.
                    guard delta.magnitude * quote.mid >= Instrument.minimumOrderValue || roundedTarget.isZero else { continue }
                    let reducing = roundedTarget.magnitude < current.magnitude
                    orders.append(GatedOrder(symbol: symbol, side: delta.isPositive ? .buy : .sell, size: delta.magnitude,
                                             reduceOnly: reducing, leverage: reducing ? nil : leverage))
                    planned[symbol] = roundedTarget
                }
            case .openLong, .openShort:
                let side: Side = instruction.action == .openLong ? .buy : .sell
                let leverage = instruction.leverage ?? 1
                let allowed = min(limits.max_leverage, instrument.maxLeverage)
                guard leverage >= 1 else { return .rejected("Leverage must be at least 1 (got \(leverage)) for \(symbol).") }
                guard leverage <= allowed else {
                    return .rejected("Leverage \(leverage)x for \(symbol) is above the account's limit of \(allowed)x.")
                }
                guard let quote = market[symbol], quote.mid.isPositive else { return .rejected("No market price for \(symbol).") }
                let notional: FixedDecimal
                switch instruction.size {
                case .usd(let usd)?:
                    notional = usd
                case .equityFraction(let fraction)?:
                    guard fraction.isPositive, fraction <= .one else {
                        return .rejected("Size as a fraction of equity must be in (0, 1] for \(symbol) (got \(fraction)).")
                    }
                    notional = account.equity * fraction * FixedDecimal(leverage)
                case nil:
                    return .rejected("\(instruction.action.rawValue) for \(symbol) has no size.")
                }
                guard notional.isPositive else { return .rejected("Size for \(symbol) must be positive (got \(notional)).") }
                if let takeProfit = instruction.takeProfit, (side == .buy) != (takeProfit > quote.mid) {
                    return .rejected("Take-profit \(takeProfit) is on the wrong side of the price \(quote.mid) for \(instruction.action.rawValue) \(symbol).")
                }
                if let stopLoss = instruction.stopLoss, (side == .buy) != (stopLoss < quote.mid) {
                    return .rejected("Stop-loss \(stopLoss) is on the wrong side of the price \(quote.mid) for \(instruction.action.rawValue) \(symbol).")
                }
                let size = instrument.roundSize(notional / quote.mid)
                guard size.isPositive, size * quote.mid >= Instrument.minimumOrderValue else {
                    return .rejected("Order must have minimum value of $10 (\(symbol) size \(size) at \(quote.mid)).")
                }
                // Opening the other way first closes what is held, so each order has one purpose.
                if let position, !position.isFlat, position.size.signum != side.sign {
                    orders.append(GatedOrder(symbol: symbol, side: side, size: position.size.magnitude, reduceOnly: true, leverage: nil))
                }
                var entry = GatedOrder(symbol: symbol, side: side, size: size, reduceOnly: false, leverage: leverage,
                                       takeProfit: instruction.takeProfit, stopLoss: instruction.stopLoss)
                entry.exits.trailingStop = instruction.trailingStop
                orders.append(entry)
            }
        }
        return orders.isEmpty ? .hold : .orders(orders)
    }
}
