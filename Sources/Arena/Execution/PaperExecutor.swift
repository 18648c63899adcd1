import ArenaCore
import PaperExchange

/// The paper exchange as an executor: one simulated venue account per arena account.
public actor PaperExecutor: OrderExecutor {
    private var exchange: PaperExchange

    /// Creates a paper account with `cash` and the given open positions (a restart restores the
    /// ledger's state this way).
    public init(configuration: PaperExchangeConfiguration, cash: FixedDecimal, positions: [Position], seed: UInt64) {
        self.init(configuration: configuration, cash: cash, positions: positions, openOrders: [], seed: seed)
    }

    /// Creates a paper account as a restart finds it: `cash`, open positions and the orders that
    /// were not final (resting, waiting for their trigger, in flight), in the order the venue
    /// received them, with their ids, groups and trailing state.
    public init(configuration: PaperExchangeConfiguration, cash: FixedDecimal, positions: [Position], openOrders: [Order], seed: UInt64) {
        exchange = PaperExchange(configuration: configuration, startingCash: cash, seed: seed)
        if !positions.isEmpty || !openOrders.isEmpty {
            exchange.restore(cash: cash, positions: Dictionary(positions.map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first }),
                             openOrders: openOrders)
        }
    }

    public nonisolated var mode: AccountMode { .paper }

    /// Switches the venue's realism profile (nil for the faithful venue) from the next order on,
    /// keeping every position, open order and the random sequence.
    public func setRealism(_ profile: RealismProfile?) { exchange.setRealism(profile) }

    /// The paper venue dies with the process, so a decision and its orders commit together.
    public nonisolated var decisionCommit: DecisionCommit { .afterOrders }

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

    /// The exit groups still open, by group id.
    public func exitGroups() -> [ClientOrderID: [Order]] { exchange.exitGroups }

    public func activeOrders() -> [Order] { exchange.openOrders }

    public func state() -> AccountState { Self.state(of: &exchange) }

    /// Read through an inout access: reading the stored exchange to call it copied the whole
    /// struct (each of its dictionaries and arrays retained and released), several times per
    /// market step.
    private static func state(of exchange: inout PaperExchange) -> AccountState { exchange.accountState() }

    /// The paper exchange is its own venue: nothing to read back.
    public func synchronize(at time: Timestamp) -> [ExchangeEvent] { [] }
}
