public import ArenaCore

/// Why the paper exchange refused a request that is not an order (orders are never thrown:
/// a refused order comes back as an order with status `rejected` and a reason).
public enum PaperExchangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The requested leverage is below one or above the coin's maximum.
    case invalidLeverage(symbol: Symbol, requested: Int, maximum: Int)
    /// Lowering the leverage would leave the account without enough margin.
    case insufficientMarginForLeverage(symbol: Symbol, requested: Int)
    /// No open order has this client order id.
    case unknownOrder(ClientOrderID)
    /// The modification was refused; the order stays as it was.
    case modificationRejected(ClientOrderID, reason: String)

    /// The error in the venue's words.
    public var description: String {
        switch self {
        case let .invalidLeverage(symbol, requested, maximum):
            "Invalid leverage value: \(requested)x for \(symbol), allowed 1x to \(maximum)x"
        case let .insufficientMarginForLeverage(symbol, requested):
            "Insufficient margin to set leverage \(requested)x for \(symbol)"
        case .unknownOrder:
            "Order was never placed, already canceled, or filled."
        case let .modificationRejected(_, reason):
            reason
        }
    }
}

/// The venue's wording of order rejections.
public enum RejectionReason {
    /// An order worth less than $10 that is not reduce only.
    public static let minimumValue = "Order must have minimum value of $10"
    /// An order that would need more initial margin than the account has free.
    public static let insufficientMargin = "Insufficient margin to place order"
    /// A reduce only order with no opposite position to reduce.
    public static let reduceOnlyIncreases = "Reduce only order would increase position"
    /// An Alo order whose price crosses the book.
    public static let postOnlyWouldMatch = "Post only order would have immediately matched"
    /// A price with more than five significant figures or too many decimals.
    public static let invalidPrice = "Price must be divisible by tick size"
    /// A size that is not a positive multiple of the coin's size step.
    public static let invalidSize = "Order has invalid size"
    /// An Ioc or market order that found nothing to match.
    public static let noLiquidity = "Order could not immediately match against any resting orders"
    /// A limit price more than 80% away from the mark.
    public static let priceTooFar = "Order price cannot be more than 80% away from the reference price"
    /// A market order whose slippage bound is not a fraction between 0 and 1.
    public static let invalidSlippage = "Market order slippage bound must be above 0 and below 1"
    /// An order whose client order id is already in use by an open order.
    public static let duplicateClientOrderID = "Order with this client order id is already open"
    /// An order above the realism profile's maximum value.
    public static let exceedsLiquidity = "Order value exceeds available liquidity"

    /// The rejection of an order for a coin no snapshot has quoted yet.
    public static func noMarket(_ symbol: Symbol) -> String { "No market price available for \(symbol)" }
}
