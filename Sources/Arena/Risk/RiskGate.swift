import ArenaCore

/// The per-account limits the risk gate enforces.
public struct RiskLimits: Codable, Sendable, Hashable {
    /// The highest leverage the account may use (further capped by each instrument's maximum).
    public var max_leverage: Int
    /// The largest notional of one position, in USD; nil for no limit beyond margin.
    public var max_position_notional: FixedDecimal?

    public init(max_leverage: Int = 10, max_position_notional: FixedDecimal? = nil) {
        self.max_leverage = max_leverage
        self.max_position_notional = max_position_notional
    }

    public static let `default` = RiskLimits()

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        max_leverage = try container.decodeIfPresent(Int.self, forKey: .max_leverage) ?? Self.default.max_leverage
        max_position_notional = try container.decodeIfPresent(FixedDecimal.self, forKey: .max_position_notional)
        guard (1...100).contains(max_leverage) else {
            throw DecodingError.dataCorruptedError(forKey: .max_leverage, in: container, debugDescription: "max_leverage must be 1 to 100")
        }
    }
}

/// An order the gate let through, with the leverage to set first.
public struct GatedOrder: Sendable, Hashable {
    public var symbol: Symbol
    public var side: Side
    public var size: FixedDecimal
    public var reduceOnly: Bool
    public var leverage: Int?
}

/// Turns a driver's decision into orders, or refuses it with a reason.
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
    public func evaluate(_ decision: Decision, universe: [Symbol], account: AccountState, market: MarketSnapshot,
                         instruments: (Symbol) -> Instrument) -> Verdict {
        var orders: [GatedOrder] = []
        var seen: Set<Symbol> = []
        for instruction in decision.instructions {
            let symbol = instruction.symbol
            guard universe.contains(symbol) else {
                return .rejected("\(symbol) is not in this account's universe (\(universe.map(\.name).joined(separator: ", "))).")
            }
            guard seen.insert(symbol).inserted else { return .rejected("\(symbol) appears twice in one decision.") }
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
                let current = position?.size ?? .zero
                let roundedTarget = target.isNegative ? -instrument.roundSize(target.magnitude) : instrument.roundSize(target)
                if let cap = limits.max_position_notional, roundedTarget.magnitude * quote.mid > cap {
                    return .rejected("Target notional for \(symbol) is above the account's limit of \(cap) USD.")
                }
                let crossesZero = !current.isZero && !roundedTarget.isZero && current.signum != roundedTarget.signum
                if crossesZero {
                    orders.append(GatedOrder(symbol: symbol, side: current.isPositive ? .sell : .buy, size: current.magnitude,
                                             reduceOnly: true, leverage: nil))
                    orders.append(GatedOrder(symbol: symbol, side: roundedTarget.isPositive ? .buy : .sell,
                                             size: roundedTarget.magnitude, reduceOnly: false, leverage: leverage))
                } else {
                    let delta = roundedTarget - current
                    guard !delta.isZero else { continue }
                    // Deltas below the venue's minimum order value wait until they grow.
                    guard delta.magnitude * quote.mid >= Instrument.minimumOrderValue || roundedTarget.isZero else { continue }
                    let reducing = roundedTarget.magnitude < current.magnitude
                    orders.append(GatedOrder(symbol: symbol, side: delta.isPositive ? .buy : .sell, size: delta.magnitude,
                                             reduceOnly: reducing, leverage: reducing ? nil : leverage))
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
                if let cap = limits.max_position_notional, notional > cap {
                    return .rejected("Notional \(notional.rounded(decimals: 2)) USD for \(symbol) is above the account's limit of \(cap) USD.")
                }
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
                orders.append(GatedOrder(symbol: symbol, side: side, size: size, reduceOnly: false, leverage: leverage))
            }
        }
        return orders.isEmpty ? .hold : .orders(orders)
    }
}
