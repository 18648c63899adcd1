import ArenaCore

/// An L1 action: what the `/exchange` endpoint accepts under an agent's or the owner's L1
/// signature, in the venue's field order with `type` first. Absent optional fields are omitted,
/// never null.
public enum ExchangeAction: Sendable, Hashable {
    /// Places orders: `{type, orders, grouping, builder?}`.
    case order(orders: [OrderWire], grouping: OrderGrouping, builder: BuilderFee?)
    /// Cancels by venue order id: `{type, cancels: [{a, o}]}`.
    case cancel([VenueCancel])
    /// Cancels by client order id: `{type, cancels: [{asset, cloid}]}`.
    case cancelByClientOrderID([ClientCancel])
    /// Replaces one order: `{type, oid, order}`.
    case modify(OrderModification)
    /// Replaces several orders: `{type, modifies: [{oid, order}]}`.
    case batchModify([OrderModification])
    /// Sets leverage and margin mode for an asset: `{type, asset, isCross, leverage}`.
    case updateLeverage(asset: Int, isCross: Bool, leverage: Int)
    /// Sets (or, with nil, clears) the dead man's switch: `{type, time?}`.
    case scheduleCancel(time: Timestamp?)

    /// The action's `type` on the wire.
    public var typeName: String {
        switch self {
        case .order: "order"
        case .cancel: "cancel"
        case .cancelByClientOrderID: "cancelByCloid"
        case .modify: "modify"
        case .batchModify: "batchModify"
        case .updateLeverage: "updateLeverage"
        case .scheduleCancel: "scheduleCancel"
        }
    }

    /// The wire map, hashed with msgpack and posted as JSON.
    public var wireValue: WireValue {
        var entries: [(key: String, value: WireValue)] = [("type", .string(typeName))]
        switch self {
        case .order(let orders, let grouping, let builder):
            entries.append(("orders", .array(orders.map(\.wireValue))))
            entries.append(("grouping", .string(grouping.rawValue)))
            if let builder {
                entries.append(("builder", builder.wireValue))
            }
        case .cancel(let cancels):
            entries.append(("cancels", .array(cancels.map(\.wireValue))))
        case .cancelByClientOrderID(let cancels):
            entries.append(("cancels", .array(cancels.map(\.wireValue))))
        case .modify(let modification):
            entries.append(("oid", modification.orderReference.wireValue))
            entries.append(("order", modification.order.wireValue))
        case .batchModify(let modifications):
            entries.append(("modifies", .array(modifications.map(\.wireValue))))
        case .updateLeverage(let asset, let isCross, let leverage):
            entries.append(("asset", .integer(Int64(asset))))
            entries.append(("isCross", .bool(isCross)))
            entries.append(("leverage", .integer(Int64(leverage))))
        case .scheduleCancel(let time):
            if let time {
                entries.append(("time", .integer(time.milliseconds)))
            }
        }
        return .map(entries)
    }
}

/// One cancel by venue order id: `{a, o}`.
public struct VenueCancel: Sendable, Hashable {
    /// The asset index.
    public var asset: Int
    /// The venue's order id.
    public var orderID: Int64

    /// Creates a cancel.
    public init(asset: Int, orderID: Int64) {
        self.asset = asset
        self.orderID = orderID
    }

    /// The wire map.
    public var wireValue: WireValue { .map([("a", .integer(Int64(asset))), ("o", .integer(orderID))]) }
}

/// One cancel by client order id: `{asset, cloid}`.
public struct ClientCancel: Sendable, Hashable {
    /// The asset index.
    public var asset: Int
    /// Our client order id.
    public var clientOrderID: ClientOrderID

    /// Creates a cancel.
    public init(asset: Int, clientOrderID: ClientOrderID) {
        self.asset = asset
        self.clientOrderID = clientOrderID
    }

    /// The wire map.
    public var wireValue: WireValue { .map([("asset", .integer(Int64(asset))), ("cloid", .string(clientOrderID.hex))]) }
}

/// One replacement: the order to replace and its new terms, `{oid, order}`.
public struct OrderModification: Sendable, Hashable {
    /// The order to replace.
    public var orderReference: OrderReference
    /// The new order.
    public var order: OrderWire

    /// Creates a modification.
    public init(orderReference: OrderReference, order: OrderWire) {
        self.orderReference = orderReference
        self.order = order
    }

    /// The wire map.
    public var wireValue: WireValue { .map([("oid", orderReference.wireValue), ("order", order.wireValue)]) }
}
