import ArenaCore
import JSONCore
import Storage

/// An order as the feed and the API show it.
public struct OrderView: Codable, Sendable, Hashable {
    public var id: Int64?
    public var cloid: String
    public var account_id: Int64
    public var symbol: String
    public var side: String
    public var type: String
    public var tif: String?
    public var reduce_only: Bool
    public var origin: String
    public var price: String?
    public var trigger_price: String?
    public var size: String
    public var filled_size: String
    public var average_fill_price: String?
    public var mid_at_submission: String?
    /// Basis points against the mid at submission; positive is worse for the account.
    public var slippage_bps: String?
    public var fee: String
    public var status: String
    public var rejection_reason: String?
    public var mode: String
    public var created_at: Int64
    public var updated_at: Int64
    /// A trigger order's kind: `take_profit` or `stop_loss`.
    public var trigger_kind: String?
    /// The exit group (its entry's cloid) a take-profit or stop belongs to.
    public var exit_group: String?
    /// A trailing stop's distance (`250` USD or `1.5%`) and the best mark it has followed.
    public var trailing_distance: String?
    public var trailing_anchor: String?
    /// The cloids of the exits an entry placed (or will place) when it fills.
    public var exits: [String]?

    public init(id: Int64?, accountID: AccountID, mode: AccountMode, order: Order) {
        let request = order.request
        self.id = id
        cloid = request.clientOrderID.hex
        account_id = accountID.rawValue
        symbol = request.symbol.name
        side = request.side.rawValue
        type = request.type.name
        reduce_only = request.reduceOnly
        origin = request.origin.rawValue
        switch request.type {
        case .market:
            tif = TimeInForce.ioc.rawValue
        case .limit(let limit, let timeInForce):
            price = limit.description
            tif = timeInForce.rawValue
        case .trigger(let trigger, let kind, let limit):
            trigger_price = trigger.description
            price = limit?.description
            trigger_kind = kind == .takeProfit ? "take_profit" : "stop_loss"
        }
        exit_group = request.group?.hex
        trailing_distance = request.trailing?.distance.text
        trailing_anchor = request.trailing?.anchor.description
        exits = request.exits.isEmpty ? nil : request.exits.map(\.clientOrderID.hex)
        size = request.size.description
        filled_size = order.filledSize.description
        average_fill_price = order.averageFillPrice?.description
        mid_at_submission = order.midAtSubmission?.description
        slippage_bps = order.slippageBasisPoints?.rounded(decimals: 4).description
        fee = order.fee.description
        status = order.status.rawValue
        rejection_reason = order.rejectionReason
        self.mode = mode.rawValue
        created_at = order.submittedAt.milliseconds
        updated_at = order.updatedAt.milliseconds
    }
}

/// A fill as the feed shows it.
public struct FillView: Codable, Sendable, Hashable {
    public var cloid: String
    public var account_id: Int64
    public var symbol: String
    public var side: String
    public var price: String
    public var size: String
    public var fee: String
    public var liquidity: String
    public var realized_pnl: String
    public var is_liquidation: Bool
    public var time: Int64

    public init(accountID: AccountID, fill: Fill) {
        cloid = fill.clientOrderID.hex
        account_id = accountID.rawValue
        symbol = fill.symbol.name
        side = fill.side.rawValue
        price = fill.price.description
        size = fill.size.description
        fee = fill.fee.description
        liquidity = fill.liquidity.rawValue
        realized_pnl = fill.realizedPnl.description
        is_liquidation = fill.isLiquidation
        time = fill.time.milliseconds
    }
}

/// A position as the feed and the API show it.
public struct PositionView: Codable, Sendable, Hashable {
    public var symbol: String
    public var size: String
    public var side: String
    public var entry_price: String
    public var mark_price: String?
    public var unrealized_pnl: String?
    public var notional: String?
    public var leverage: Int

    public init(position: Position, mark: FixedDecimal?) {
        symbol = position.symbol.name
        size = position.size.description
        side = position.size.isNegative ? "short" : "long"
        entry_price = position.entryPrice.description
        mark_price = mark?.description
        unrealized_pnl = mark.map { position.unrealizedPnl(at: $0).description }
        notional = mark.map { position.notional(at: $0).description }
        leverage = position.leverage
    }
}

/// An equity point as the feed shows it.
public struct SnapshotView: Codable, Sendable, Hashable {
    public var account_id: Int64
    public var equity: String
    public var cash: String
    public var unrealized_pnl: String
    public var margin_used: String
    public var return_pct: Double
    public var time: Int64
}

/// A decision as the feed shows it (the model-chat view).
public struct DecisionView: Codable, Sendable, Hashable {
    public var id: Int64
    public var account_id: Int64
    public var driver: String
    public var model: String?
    public var outcome: String
    public var rejection_reason: String?
    public var justification: String?
    public var actions: [String]
    public var latency_ms: Int?
    public var time: Int64
}

/// Mid prices of every symbol at one step.
public struct PricesView: Codable, Sendable, Hashable {
    public var mids: [String: String]
    public var time: Int64
}

/// A funding payment as the feed shows it.
public struct FundingView: Codable, Sendable, Hashable {
    public var symbol: String
    public var rate: String
    public var position_size: String
    public var amount: String
    public var time: Int64
}

/// The hello message: what this server is and where the feed stands.
public struct HelloView: Codable, Sendable, Hashable {
    public var server: String
    public var market: String
    public var last_seq: Int64
    public var topics: [String]
    /// Whether a frame may carry several messages, one per line (`batch=true` in the query).
    public var batched: Bool

    public init(server: String, market: String, last_seq: Int64, topics: [String], batched: Bool = false) {
        self.server = server
        self.market = market
        self.last_seq = last_seq
        self.topics = topics
        self.batched = batched
    }
}

/// Something an operator should see: a liquidation, a halted account, a market fallback.
public struct AlertView: Codable, Sendable, Hashable {
    public var kind: String
    public var message: String
    public var account_value: String?
    public var maintenance_margin: String?

    public init(kind: String, message: String, account_value: String? = nil, maintenance_margin: String? = nil) {
        self.kind = kind
        self.message = message
        self.account_value = account_value
        self.maintenance_margin = maintenance_margin
    }
}

/// The compact ranking sent at most once a second.
public struct RankingView: Codable, Sendable, Hashable {
    public struct Line: Codable, Sendable, Hashable {
        public var account_id: Int64
        public var name: String
        public var equity: String
        public var return_pct: Double
    }
    public var ranking: [Line]
}

/// A switch between paper and live, or a refused one.
public struct ModeChangeView: Codable, Sendable, Hashable {
    public var account_id: Int64
    public var from: String
    public var to: String
    public var network: String
    public var switched: Bool
    public var reason: String?
    public var checks: [PreflightCheck]
}

/// A tracked trader's position change, as the `trader_event` feed message and
/// `/api/traders/{id}/events` show it; `entry_price` is always present (null when unknown).
public struct TraderEventView: Codable, Sendable, Hashable {
    public var id: Int64
    public var trader_id: Int64
    public var address: String
    /// `OPEN`, `CLOSE`, `INCREASE`, `DECREASE` or `FLIP`.
    public var kind: String
    public var symbol: String
    /// The side after the change; for a close, the side closed.
    public var side: String
    /// The absolute size after the change.
    public var size: String
    /// The signed size before the change.
    public var previous_size: String
    public var entry_price: String?
    public var time: Int64
    /// `poll` or `fills`.
    public var source: String

    public init(_ event: TraderEventRecord) {
        id = event.id
        trader_id = event.traderID
        address = event.address
        kind = event.kind.rawValue
        symbol = event.symbol.name
        side = event.isLong ? "long" : "short"
        size = event.size.description
        previous_size = event.previousSize.description
        entry_price = event.entryPrice?.description
        time = event.time.milliseconds
        source = event.source.rawValue
    }

    private enum CodingKeys: String, CodingKey {
        case id, trader_id, address, kind, symbol, side, size, previous_size, entry_price, time, source
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(trader_id, forKey: .trader_id)
        try container.encode(address, forKey: .address)
        try container.encode(kind, forKey: .kind)
        try container.encode(symbol, forKey: .symbol)
        try container.encode(side, forKey: .side)
        try container.encode(size, forKey: .size)
        try container.encode(previous_size, forKey: .previous_size)
        // Written even when nil: a feed client sees the same keys on every event.
        try container.encode(entry_price, forKey: .entry_price)
        try container.encode(time, forKey: .time)
        try container.encode(source, forKey: .source)
    }
}

// The payloads written once per decision, order update or fill list their members themselves
// (`JSONMembersWritable`): in declaration order, as their synthesized `encode(to:)` does.

extension DecisionView: JSONMembersWritable {
    public func writeMembers(to members: JSONMembers) {
        members.add("id", id)
        members.add("account_id", account_id)
        members.add("driver", driver)
        members.add("model", model)
        members.add("outcome", outcome)
        members.add("rejection_reason", rejection_reason)
        members.add("justification", justification)
        members.add("actions", actions)
        members.add("latency_ms", latency_ms)
        members.add("time", time)
    }
}

extension OrderView: JSONMembersWritable {
    public func writeMembers(to members: JSONMembers) {
        members.add("id", id)
        members.add("cloid", cloid)
        members.add("account_id", account_id)
        members.add("symbol", symbol)
        members.add("side", side)
        members.add("type", type)
        members.add("tif", tif)
        members.add("reduce_only", reduce_only)
        members.add("origin", origin)
        members.add("price", price)
        members.add("trigger_price", trigger_price)
        members.add("size", size)
        members.add("filled_size", filled_size)
        members.add("average_fill_price", average_fill_price)
        members.add("mid_at_submission", mid_at_submission)
        members.add("slippage_bps", slippage_bps)
        members.add("fee", fee)
        members.add("status", status)
        members.add("rejection_reason", rejection_reason)
        members.add("mode", mode)
        members.add("created_at", created_at)
        members.add("updated_at", updated_at)
        members.add("trigger_kind", trigger_kind)
        members.add("exit_group", exit_group)
        members.add("trailing_distance", trailing_distance)
        members.add("trailing_anchor", trailing_anchor)
        members.add("exits", exits)
    }
}

extension FillView: JSONMembersWritable {
    public func writeMembers(to members: JSONMembers) {
        members.add("cloid", cloid)
        members.add("account_id", account_id)
        members.add("symbol", symbol)
        members.add("side", side)
        members.add("price", price)
        members.add("size", size)
        members.add("fee", fee)
        members.add("liquidity", liquidity)
        members.add("realized_pnl", realized_pnl)
        members.add("is_liquidation", is_liquidation)
        members.add("time", time)
    }
}
