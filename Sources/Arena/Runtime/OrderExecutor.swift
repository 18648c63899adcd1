import ArenaCore
import PaperExchange

/// Where an account's orders go: the paper exchange or live Hyperliquid. Both report the same
/// `ExchangeEvent`s, so the runner, the ledger and the feed never care which one it is.
public protocol OrderExecutor: Actor {
    nonisolated var mode: AccountMode { get }
    /// Feeds a market update; returns what it caused (fills of resting orders, triggers, funding,
    /// liquidations).
    func apply(_ snapshot: MarketSnapshot) async -> [ExchangeEvent]
    /// Sets the leverage for `symbol`, then submits `request`; returns what happened to it.
    func submit(_ request: OrderRequest, leverage: Int?, at time: Timestamp) async -> [ExchangeEvent]
    /// Cancels a resting or waiting order; returns what happened (nothing for an unknown order).
    func cancel(_ clientOrderID: ClientOrderID, at time: Timestamp) async -> [ExchangeEvent]
    /// Orders that are not final: resting, waiting for a trigger or pending.
    func activeOrders() async -> [Order]
    /// The account's cash, positions and equity at the last marks.
    func state() async -> AccountState
    /// Brings the executor's view in line with the venue (a live venue is read back by client
    /// order id); returns what that found that the ledger has not seen.
    func synchronize(at time: Timestamp) async -> [ExchangeEvent]
}

/// The paper exchange as an executor: one simulated venue account per arena account.
public actor PaperExecutor: OrderExecutor {
    private var exchange: PaperExchange

    /// Creates a paper account with `cash` and the given open positions (a restart restores the
    /// ledger's state this way).
    public init(configuration: PaperExchangeConfiguration, cash: FixedDecimal, positions: [Position], seed: UInt64) {
        exchange = PaperExchange(configuration: configuration, startingCash: cash, seed: seed)
        if !positions.isEmpty {
            exchange.restore(cash: cash, positions: Dictionary(positions.map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    public nonisolated var mode: AccountMode { .paper }

    public func apply(_ snapshot: MarketSnapshot) -> [ExchangeEvent] {
        exchange.apply(snapshot)
    }

    public func submit(_ request: OrderRequest, leverage: Int?, at time: Timestamp) -> [ExchangeEvent] {
        if let leverage {
            do {
                try exchange.setLeverage(leverage, for: request.symbol)
            } catch {
                var order = Order(request: request, status: .rejected, submittedAt: time, midAtSubmission: exchange.quote(for: request.symbol)?.mid)
                order.rejectionReason = "\(error)"
                return [.orderUpdated(order)]
            }
        }
        return exchange.submit(request, at: time)
    }

    public func cancel(_ clientOrderID: ClientOrderID, at time: Timestamp) -> [ExchangeEvent] {
        (try? exchange.cancel(clientOrderID, at: time)) ?? []
    }

    public func activeOrders() -> [Order] { exchange.openOrders }

    public func state() -> AccountState { exchange.accountState() }

    /// The paper exchange is its own venue: nothing to read back.
    public func synchronize(at time: Timestamp) -> [ExchangeEvent] { [] }
}
