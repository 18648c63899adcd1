import ArenaCore

/// One order as the `order` and `modify` actions carry it, with the venue's one-letter keys in
/// the venue's order: `a b p s r t c`.
public struct OrderWire: Sendable, Hashable {
    /// The venue's asset index (perpetuals from 0, spot from 10,000).
    public var asset: Int
    /// True to buy.
    public var isBuy: Bool
    /// The limit price; for a market trigger order, the worst price accepted.
    public var price: FixedDecimal
    /// The size in the asset's units.
    public var size: FixedDecimal
    /// True when the order may only reduce a position.
    public var reduceOnly: Bool
    /// Limit or trigger, and its parameters.
    public var type: OrderWireType
    /// Our client order id, when we set one.
    public var clientOrderID: ClientOrderID?

    /// Creates an order.
    public init(asset: Int, isBuy: Bool, price: FixedDecimal, size: FixedDecimal, reduceOnly: Bool, type: OrderWireType, clientOrderID: ClientOrderID? = nil) {
        self.asset = asset
        self.isBuy = isBuy
        self.price = price
        self.size = size
        self.reduceOnly = reduceOnly
        self.type = type
        self.clientOrderID = clientOrderID
    }

    /// The wire map; `c` only when a client order id is set, never null.
    public var wireValue: WireValue {
        var entries: [(key: String, value: WireValue)] = [
            ("a", .integer(Int64(asset))),
            ("b", .bool(isBuy)),
            ("p", .string(WireNumber.string(price))),
            ("s", .string(WireNumber.string(size))),
            ("r", .bool(reduceOnly)),
            ("t", type.wireValue),
        ]
        if let clientOrderID {
            entries.append(("c", .string(clientOrderID.hex)))
        }
        return .map(entries)
    }
}

/// The `t` of an order: a resting limit order or a trigger.
public enum OrderWireType: Sendable, Hashable {
    /// `{"limit": {"tif": …}}`; a market order is an IOC limit at a bounded price.
    case limit(TimeInForce)
    /// `{"trigger": {"isMarket", "triggerPx", "tpsl"}}`.
    case trigger(isMarket: Bool, triggerPrice: FixedDecimal, kind: TriggerKind)

    /// The wire map.
    public var wireValue: WireValue {
        switch self {
        case .limit(let timeInForce):
            .map([("limit", .map([("tif", .string(timeInForce.rawValue))]))])
        case .trigger(let isMarket, let triggerPrice, let kind):
            .map([("trigger", .map([
                ("isMarket", .bool(isMarket)),
                ("triggerPx", .string(WireNumber.string(triggerPrice))),
                ("tpsl", .string(kind.rawValue)),
            ]))])
        }
    }
}

/// How the orders of one `order` action relate: independent, or take-profit and stop-loss
/// children of the first order or of the position.
public enum OrderGrouping: String, Sendable, Hashable, Codable {
    /// Independent orders (`na`).
    case none = "na"
    /// Take-profit and stop-loss orders tied to the first order (`normalTpsl`).
    case normalTakeProfitStopLoss = "normalTpsl"
    /// Take-profit and stop-loss orders tied to the position (`positionTpsl`).
    case positionTakeProfitStopLoss = "positionTpsl"
}

/// A builder fee attached to an `order` action: `{"b": address in lower case, "f": fee}`.
public struct BuilderFee: Sendable, Hashable {
    /// The builder's address.
    public var builder: EthereumAddress
    /// The fee in tenths of a basis point.
    public var feeTenthsOfBasisPoint: Int

    /// Creates a builder fee.
    public init(builder: EthereumAddress, feeTenthsOfBasisPoint: Int) {
        self.builder = builder
        self.feeTenthsOfBasisPoint = feeTenthsOfBasisPoint
    }

    /// The wire map, with the address in lower case as the SDK sends it.
    public var wireValue: WireValue {
        .map([("b", .string(builder.lowercaseHex)), ("f", .integer(Int64(feeTenthsOfBasisPoint)))])
    }
}

/// The order a `modify` targets: the venue's order id or our client order id.
public enum OrderReference: Sendable, Hashable {
    /// The venue's numeric order id.
    case venue(Int64)
    /// Our client order id.
    case client(ClientOrderID)

    /// An integer or the client order id's hex.
    public var wireValue: WireValue {
        switch self {
        case .venue(let id): .integer(id)
        case .client(let id): .string(id.hex)
        }
    }
}
