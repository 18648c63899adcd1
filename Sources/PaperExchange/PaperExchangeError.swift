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
    public static let minimumValue = "Order must have minimum value of $10"
    public static let insufficientMargin = "Insufficient margin to place order"
    public static let reduceOnlyIncreases = "Reduce only order would increase position"
    public static let postOnlyWouldMatch = "Post only order would have immediately matched"
    public static let invalidPrice = "Price must be divisible by tick size"
    public static let invalidSize = "Order has invalid size"
    public static let noLiquidity = "Order could not immediately match against any resting orders"
    public static let priceTooFar = "Order price cannot be more than 80% away from the reference price"
    public static let invalidSlippage = "Market order slippage bound must be above 0 and below 1"
    public static let duplicateClientOrderID = "Order with this client order id is already open"
    public static let exceedsLiquidity = "Order value exceeds available liquidity"

    /// The rejection of an order for a coin no snapshot has quoted yet.
    public static func noMarket(_ symbol: Symbol) -> String { "No market price available for \(symbol)" }
}
