import ArenaCore

/// Pure conversions from the venue's wire shapes to ArenaCore types. Every field used is checked;
/// a malformed one throws `HyperliquidClientError.malformedResponse` naming it.
public enum HyperliquidConversion {
    /// Parses a decimal string of the venue exactly.
    /// - Throws: `HyperliquidClientError.malformedResponse` naming `field`.
    public static func decimal(_ text: String, field: String) throws(HyperliquidClientError) -> FixedDecimal {
        guard let value = FixedDecimal(text) else { throw .malformedResponse("\(field) is not a decimal number within range") }
        return value
    }

    /// The side of a venue `side` letter: `B` buys, `A` sells.
    public static func side(_ letter: String, field: String) throws(HyperliquidClientError) -> Side {
        switch letter {
        case "B": .buy
        case "A": .sell
        default: throw .malformedResponse("\(field) is neither B nor A")
        }
    }

    /// The book of an `l2Book` snapshot.
    public static func orderBook(_ snapshot: L2BookSnapshot) throws(HyperliquidClientError) -> OrderBook {
        guard snapshot.levels.count == 2 else { throw .malformedResponse("l2Book levels must hold bids and asks") }
        func levels(_ wire: [L2Level], _ name: String) throws(HyperliquidClientError) -> [BookLevel] {
            var result: [BookLevel] = []
            result.reserveCapacity(wire.count)
            for (index, level) in wire.enumerated() {
                let price = try decimal(level.px, field: "l2Book \(name)[\(index)].px")
                let size = try decimal(level.sz, field: "l2Book \(name)[\(index)].sz")
                guard price.isPositive, !size.isNegative else { throw .malformedResponse("l2Book \(name)[\(index)] is not positive") }
                result.append(BookLevel(price: price, size: size))
            }
            return result
        }
        return OrderBook(bids: try levels(snapshot.levels[0], "bids"), asks: try levels(snapshot.levels[1], "asks"))
    }

    /// The quote of one symbol from its asset context and, when known, its book and mid.
    ///
    /// The mid is the feed's mid when given, else the book's, else the context's `midPx`, else the
    /// mark. Open interest is left out when it does not fit a `FixedDecimal`.
    public static func quote(symbol: Symbol, context: PerpAssetContext?, book: OrderBook?, mid: FixedDecimal?,
                             volume: FixedDecimal = .zero) throws(HyperliquidClientError) -> Quote {
        let mark = try context.map { context throws(HyperliquidClientError) in try decimal(context.markPx, field: "\(symbol) markPx") }
        let contextMid = context?.midPx.flatMap(FixedDecimal.init)
        guard let chosenMid = mid ?? book?.mid ?? contextMid ?? mark, chosenMid.isPositive else {
            throw .malformedResponse("no price is known for \(symbol)")
        }
        let funding = try context.map { context throws(HyperliquidClientError) in try decimal(context.funding, field: "\(symbol) funding") }
        return Quote(symbol: symbol, mid: chosenMid, mark: mark ?? chosenMid,
                     book: book ?? OrderBook(bids: [], asks: []), fundingRate: funding ?? .zero,
                     openInterest: context.flatMap { FixedDecimal($0.openInterest) }, volume: volume)
    }

    /// The account of a `clearinghouseState`, so that `equity == cash + unrealizedPnl` holds
    /// exactly: equity is the venue's `marginSummary.accountValue` (cross and isolated together,
    /// at the venue's marks), unrealised PnL is the sum of the positions' `unrealizedPnl`, and cash
    /// is their difference: the USDC balance with every position's PnL taken out (deposits plus
    /// realised PnL, minus fees, plus funding), as the paper exchange keeps it.
    public static func accountState(_ state: ClearinghouseState, universe: HyperliquidUniverse) throws(HyperliquidClientError) -> AccountState {
        let equity = try decimal(state.marginSummary.accountValue, field: "marginSummary.accountValue")
        let marginUsed = try decimal(state.marginSummary.totalMarginUsed, field: "marginSummary.totalMarginUsed")
        var positions: [Symbol: Position] = [:]
        var unrealized = FixedDecimal.zero
        for (index, entry) in state.assetPositions.enumerated() {
            let wire = entry.position
            let field = "assetPositions[\(index)]"
            let pnl = try decimal(wire.unrealizedPnl, field: "\(field).unrealizedPnl")
            unrealized += pnl
            guard let symbol = universe.symbol(forCoin: wire.coin) else { continue }
            let size = try decimal(wire.szi, field: "\(field).szi")
            guard !size.isZero else { continue }
            let entryPrice = try wire.entryPx.map { text throws(HyperliquidClientError) in try decimal(text, field: "\(field).entryPx") } ?? .zero
            positions[symbol] = Position(symbol: symbol, size: size, entryPrice: entryPrice, leverage: max(1, wire.leverage.value))
        }
        return AccountState(cash: equity - unrealized, positions: positions, equity: equity, unrealizedPnl: unrealized,
                            marginUsed: marginUsed, time: Timestamp(milliseconds: state.time))
    }

    /// The fill of a `userFills` entry; the client order id is the fill's own or, for venues that
    /// omit it, the one we know for its order id.
    public static func fill(_ wire: UserFillWire, universe: HyperliquidUniverse,
                            clientOrderID: ClientOrderID) throws(HyperliquidClientError) -> Fill {
        guard let symbol = universe.symbol(forCoin: wire.coin) else { throw .malformedResponse("fill \(wire.tid) is for an unknown coin") }
        let size = try decimal(wire.sz, field: "fill \(wire.tid) sz")
        let price = try decimal(wire.px, field: "fill \(wire.tid) px")
        guard size.isPositive, price.isPositive else { throw .malformedResponse("fill \(wire.tid) has no positive size and price") }
        return Fill(clientOrderID: clientOrderID, symbol: symbol, side: try side(wire.side, field: "fill \(wire.tid) side"), price: price,
                    size: size, fee: try decimal(wire.fee, field: "fill \(wire.tid) fee"), liquidity: wire.crossed ? .taker : .maker,
                    realizedPnl: try decimal(wire.closedPnl, field: "fill \(wire.tid) closedPnl"), time: Timestamp(milliseconds: wire.time),
                    isLiquidation: wire.liquidation != nil)
    }

    /// The funding payment of a `userFunding` entry; the price is derived from the payment, the
    /// size and the rate (the venue does not send it), zero when the rate is zero.
    public static func funding(_ wire: UserFundingWire, universe: HyperliquidUniverse) throws(HyperliquidClientError) -> FundingPayment {
        guard let symbol = universe.symbol(forCoin: wire.delta.coin) else { throw .malformedResponse("a funding payment is for an unknown coin") }
        let amount = try decimal(wire.delta.usdc, field: "funding usdc")
        let size = try decimal(wire.delta.szi, field: "funding szi")
        let rate = try decimal(wire.delta.fundingRate, field: "funding fundingRate")
        let base = size.magnitude * rate.magnitude
        let price = base.isZero ? FixedDecimal.zero : (amount.magnitude / base).rounded(decimals: 6)
        return FundingPayment(symbol: symbol, rate: rate, positionSize: size, price: price, amount: amount,
                              time: Timestamp(milliseconds: wire.time))
    }

    /// The order of a `frontendOpenOrders` or `orderStatus` entry, or nil when it carries no client
    /// order id (it was not placed by the arena).
    /// - Parameter status: the `orderStatus` status, or nil for an open order.
    public static func order(_ wire: FrontendOrderWire, status: String?, universe: HyperliquidUniverse,
                             statusTime: Timestamp? = nil) throws(HyperliquidClientError) -> Order? {
        guard let cloidText = wire.cloid, let clientOrderID = ClientOrderID(hex: cloidText) else { return nil }
        guard let symbol = universe.symbol(forCoin: wire.coin) else { throw .malformedResponse("order \(wire.oid) is for an unknown coin") }
        let originalSize = try decimal(wire.origSz, field: "order \(wire.oid) origSz")
        let openSize = try decimal(wire.sz, field: "order \(wire.oid) sz")
        let limitPrice = try decimal(wire.limitPx, field: "order \(wire.oid) limitPx")
        let type: OrderType
        if wire.isTrigger == true {
            let triggerPrice = try decimal(wire.triggerPx ?? "0", field: "order \(wire.oid) triggerPx")
            let orderType = wire.orderType ?? ""
            type = .trigger(triggerPrice: triggerPrice, kind: orderType.hasPrefix("Take Profit") ? .takeProfit : .stopLoss,
                            limitPrice: orderType.hasSuffix("Market") ? nil : limitPrice)
        } else {
            type = .limit(price: limitPrice, timeInForce: TimeInForce(rawValue: wire.tif ?? "Gtc") ?? .gtc)
        }
        let request = OrderRequest(clientOrderID: clientOrderID, symbol: symbol, side: try side(wire.side, field: "order \(wire.oid) side"),
                                   size: originalSize, type: type, reduceOnly: wire.reduceOnly ?? false)
        let submitted = Timestamp(milliseconds: wire.timestamp)
        var order = Order(request: request, status: orderStatus(status, isTrigger: wire.isTrigger == true), submittedAt: submitted,
                          midAtSubmission: nil)
        order.venueOrderID = wire.oid
        order.filledSize = max(.zero, originalSize - openSize)
        if order.status == .canceled, order.filledSize.isPositive { order.status = .partiallyFilled }
        order.updatedAt = statusTime ?? submitted
        if order.status == .rejected || order.status == .canceled, let status, status != "canceled", status != "rejected" {
            order.rejectionReason = status
        }
        return order
    }

    /// The order status of an `orderStatus` status word (nil: open).
    public static func orderStatus(_ status: String?, isTrigger: Bool) -> OrderStatus {
        guard let status else { return isTrigger ? .waitingTrigger : .open }
        switch status {
        case "open": return isTrigger ? .waitingTrigger : .open
        case "filled": return .filled
        case "triggered": return .pending
        // A take-profit or stop of a grouped order waiting for its entry to fill, or for its price.
        case "waitingForFill", "waitingForTrigger": return .waitingTrigger
        default:
            if status.hasSuffix("Rejected") || status == "rejected" { return .rejected }
            // `canceled`, `marginCanceled`, `reduceOnlyCanceled`, `scheduledCancel`, ...
            return .canceled
        }
    }

    /// The outcome of one order from its `statuses` entry.
    public static func placement(_ status: ExchangeStatusWire) throws(HyperliquidClientError) -> OrderPlacement {
        switch status {
        case .resting(let oid, _):
            return .resting(venueOrderID: oid)
        case .filled(let totalSize, let averagePrice, let oid, _):
            return .filled(size: try decimal(totalSize, field: "filled.totalSz"), averagePrice: try decimal(averagePrice, field: "filled.avgPx"),
                           venueOrderID: oid)
        case .error(let text):
            return .rejected(reason: text)
        case .waitingForFill, .waitingForTrigger:
            return .resting(venueOrderID: nil)
        case .success:
            throw .malformedResponse("an order's status is a bare success")
        }
    }
}

/// What became of one submitted order.
public enum OrderPlacement: Sendable, Hashable {
    /// On the book, or waiting for its trigger; the venue's id when it gave one.
    case resting(venueOrderID: Int64?)
    /// Filled at once: `size` of it (an IOC's remainder is cancelled) at `averagePrice`.
    case filled(size: FixedDecimal, averagePrice: FixedDecimal, venueOrderID: Int64)
    /// Refused; the venue's words, kept as the order's rejection reason.
    case rejected(reason: String)
    /// Learnt from `orderStatus` after an unclear outcome: the order reached the venue and is now
    /// in `status` with `filledSize` filled (prices come from the fills).
    case found(status: OrderStatus, filledSize: FixedDecimal, venueOrderID: Int64, reason: String?)
    /// No answer said what happened and the venue could not be asked: reconcile before trading.
    case unknown(reason: String)
}
