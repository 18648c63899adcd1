/// How far a trailing stop stays behind the best mark since it was placed.
public enum TrailingDistance: Sendable, Hashable {
    /// A fixed distance in USD.
    case price(FixedDecimal)
    /// A percentage of the best mark (1.5 is 1.5%).
    case percent(FixedDecimal)

    /// Whether the distance can be used: positive, and a percentage below 100.
    public var isValid: Bool {
        switch self {
        case .price(let distance): distance.isPositive
        case .percent(let percent): percent.isPositive && percent < FixedDecimal(100)
        }
    }

    /// The stop price `anchor` gives to a stop order on `side` (a sell stop protects a long and
    /// stays below the highest mark; a buy stop protects a short and stays above the lowest),
    /// rounded to a price `instrument` accepts, away from the anchor.
    public func stopPrice(anchor: FixedDecimal, side: Side, instrument: Instrument) -> FixedDecimal {
        let gap: FixedDecimal
        switch self {
        case .price(let distance): gap = distance
        case .percent(let percent): gap = anchor * percent / FixedDecimal(100)
        }
        return side == .sell ? instrument.roundPrice(anchor - gap, .down) : instrument.roundPrice(anchor + gap, .up)
    }

    /// The distance as the API and the ledger write it: `250` for USD, `1.5%` for a percentage.
    public var text: String {
        switch self {
        case .price(let distance): distance.description
        case .percent(let percent): "\(percent)%"
        }
    }

    /// Reads `text` as written by `text`; nil when it is no valid distance.
    public init?(text: String) {
        if text.hasSuffix("%") {
            guard let percent = FixedDecimal(String(text.dropLast())) else { return nil }
            self = .percent(percent)
        } else {
            guard let distance = FixedDecimal(text) else { return nil }
            self = .price(distance)
        }
        guard isValid else { return nil }
    }
}

/// A stop that follows the mark: its trigger price moves with the best mark seen and never back.
public struct TrailingStop: Sendable, Hashable {
    public var distance: TrailingDistance
    /// The best mark since the stop was placed: the highest for a sell stop, the lowest for a buy.
    public var anchor: FixedDecimal

    public init(distance: TrailingDistance, anchor: FixedDecimal) {
        self.distance = distance
        self.anchor = anchor
    }

    /// Moves the anchor to `mark` when it is better for a stop on `side`; returns whether it moved.
    public mutating func follow(_ mark: FixedDecimal, side: Side) -> Bool {
        let better = side == .sell ? mark > anchor : mark < anchor
        if better { anchor = mark }
        return better
    }
}

/// One exit an entry asks for: placed, reduce only, when (and as far as) the entry fills.
public struct ExitLeg: Sendable, Hashable {
    /// The id the exit order will have, reserved when the entry is sent.
    public var clientOrderID: ClientOrderID
    public var kind: TriggerKind
    /// The trigger price; for a trailing stop, its first stop price (the venue moves it after).
    public var triggerPrice: FixedDecimal
    /// The limit of a stop-limit or take-profit-limit; nil for a market exit.
    public var limitPrice: FixedDecimal?
    /// Set for a trailing stop.
    public var trailing: TrailingDistance?

    public init(clientOrderID: ClientOrderID, kind: TriggerKind, triggerPrice: FixedDecimal, limitPrice: FixedDecimal? = nil,
                trailing: TrailingDistance? = nil) {
        self.clientOrderID = clientOrderID
        self.kind = kind
        self.triggerPrice = triggerPrice
        self.limitPrice = limitPrice
        self.trailing = trailing
    }

    /// The exit's order for a position held on `entrySide`, of `size`, in group `group`; a
    /// trailing stop's anchor starts at `mark`.
    public func request(symbol: Symbol, entrySide: Side, size: FixedDecimal, group: ClientOrderID, mark: FixedDecimal,
                        origin: OrderOrigin) -> OrderRequest {
        OrderRequest(clientOrderID: clientOrderID, symbol: symbol, side: entrySide.opposite, size: size,
                     type: .trigger(triggerPrice: triggerPrice, kind: kind, limitPrice: limitPrice), reduceOnly: true, origin: origin,
                     group: group, trailing: trailing.map { TrailingStop(distance: $0, anchor: mark) })
    }
}

/// The rules every trigger order meets, on paper and live: it must not fire at once and its
/// limit must be able to fill when it fires.
public enum TriggerRules {
    /// Why a trigger order on `side` cannot be accepted with the mark at `mark`; nil when it can.
    public static func refusal(side: Side, kind: TriggerKind, triggerPrice: FixedDecimal, limitPrice: FixedDecimal?,
                               mark: FixedDecimal) -> String? {
        let name = kind == .takeProfit ? "take-profit" : "stop"
        // A sell take-profit and a buy stop fire on a rise; a sell stop and a buy take-profit on a fall.
        let firesOnRise = (side == .sell) == (kind == .takeProfit)
        if firesOnRise, triggerPrice <= mark {
            return "A \(side.rawValue) \(name) triggers on a rise: its trigger \(triggerPrice) must be above the mark \(mark)."
        }
        if !firesOnRise, triggerPrice >= mark {
            return "A \(side.rawValue) \(name) triggers on a fall: its trigger \(triggerPrice) must be below the mark \(mark)."
        }
        // A take-profit's limit may wait beyond its trigger; a stop's must fill when it fires.
        if let limitPrice, kind == .stopLoss {
            if side == .sell, limitPrice > triggerPrice {
                return "The limit \(limitPrice) of a sell \(name)-limit is above its trigger \(triggerPrice): it could not fill when it fires. Set it at or below the trigger."
            }
            if side == .buy, limitPrice < triggerPrice {
                return "The limit \(limitPrice) of a buy \(name)-limit is below its trigger \(triggerPrice): it could not fill when it fires. Set it at or above the trigger."
            }
        }
        return nil
    }

    /// Why `request` (if a trigger order) cannot be accepted with the mark at `mark`; nil when it can.
    public static func refusal(of request: OrderRequest, mark: FixedDecimal) -> String? {
        guard case let .trigger(triggerPrice, kind, limitPrice) = request.type else { return nil }
        if let trailing = request.trailing, !trailing.distance.isValid {
            return "A trailing stop's distance must be positive (a percentage below 100)."
        }
        return refusal(side: request.side, kind: kind, triggerPrice: triggerPrice, limitPrice: limitPrice, mark: mark)
    }
}
