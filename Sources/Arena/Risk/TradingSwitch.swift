import Synchronization

/// The arena-wide kill switch: while engaged, no order passes the risk gate but the ones the
/// switch itself sends to close positions.
public final class TradingSwitch: Sendable {
    private let reason = Mutex<String?>(nil)

    public init() {}

    /// Why trading is halted, or nil while it runs.
    public var haltReason: String? { reason.withLock { $0 } }

    /// Halts all new orders.
    public func engage(reason text: String) { reason.withLock { $0 = text } }

    /// Lets orders through again.
    public func release() { reason.withLock { $0 = nil } }
}
