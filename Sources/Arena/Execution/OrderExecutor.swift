import ArenaCore
import PaperExchange

/// Where an account's orders go: the paper exchange or live Hyperliquid. Both report the same
/// `ExchangeEvent`s, so the runner, the ledger and the feed never care which one it is.
public protocol OrderExecutor: Actor {
    nonisolated var mode: AccountMode { get }
    /// How a decision and what its orders changed must reach the ledger with this venue.
    nonisolated var decisionCommit: DecisionCommit { get }
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
