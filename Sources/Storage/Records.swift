import ArenaCore

/// An account as stored: configuration, ledger balance and driver state.
public struct AccountRecord: Sendable, Hashable {
    public var id: AccountID
    public var name: String
    public var driverKind: String
    /// The driver's settings as JSON text (never a secret).
    public var driverSettings: String
    public var provider: String?
    public var model: String?
    public var symbols: [Symbol]
    public var mode: AccountMode
    public var network: Network
    public var initialCapital: FixedDecimal
    /// Risk limits as JSON text.
    public var riskLimits: String
    public var status: AccountStatus
    public var cash: FixedDecimal
    public var totals: LedgerTotals
    public var driverState: String?
    public var orderSequence: UInt64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// The paper venue's realism profile by name (`venue` or `noisy`; the Arena module reads it as `PaperRealism`).
    public var paperRealism: String = "venue"
}

/// Running totals of an account's ledger.
public struct LedgerTotals: Sendable, Hashable {
    /// PnL realised by closing positions, before fees.
    public var realizedPnl: FixedDecimal
    public var feesPaid: FixedDecimal
    /// Net funding: positive was received.
    public var funding: FixedDecimal
    public var fillCount: Int
    /// Traded notional, in USD.
    public var volume: FixedDecimal
    /// Fills that closed (part of) a position.
    public var closedTrades: Int
    /// Closing fills whose realised PnL beat their fee.
    public var winningTrades: Int
    /// The best and worst closing fill, realised PnL net of its fee.
    public var biggestWin: FixedDecimal?
    public var biggestLoss: FixedDecimal?

    public init(realizedPnl: FixedDecimal = .zero, feesPaid: FixedDecimal = .zero, funding: FixedDecimal = .zero, fillCount: Int = 0,
                volume: FixedDecimal = .zero, closedTrades: Int = 0, winningTrades: Int = 0, biggestWin: FixedDecimal? = nil,
                biggestLoss: FixedDecimal? = nil) {
        self.realizedPnl = realizedPnl
        self.feesPaid = feesPaid
        self.funding = funding
        self.fillCount = fillCount
        self.volume = volume
        self.closedTrades = closedTrades
        self.winningTrades = winningTrades
        self.biggestWin = biggestWin
        self.biggestLoss = biggestLoss
    }

    /// The share of closed trades that won, or nil before the first.
    public var winRate: Double? { closedTrades == 0 ? nil : Double(winningTrades) / Double(closedTrades) }

    /// Adds what `events` did to the ledger.
    public mutating func add(_ events: [ExchangeEvent]) {
        for event in events {
            switch event {
            case .filled(let fill):
                realizedPnl += fill.realizedPnl
                feesPaid += fill.fee
                fillCount += 1
                volume += fill.notional
                if !fill.realizedPnl.isZero {
                    let net = fill.realizedPnl - fill.fee
                    closedTrades += 1
                    if net.isPositive { winningTrades += 1 }
                    if net > (biggestWin ?? .zero) { biggestWin = net }
                    if net < (biggestLoss ?? .zero) { biggestLoss = net }
                }
            case .fundingPaid(let payment):
                funding += payment.amount
            case .orderUpdated, .liquidated:
                break
            }
        }
    }
}

/// What it takes to create an account.
public struct NewAccount: Sendable, Hashable {
    public var name: String
    public var driverKind: String
    public var driverSettings: String
    public var provider: String?
    public var model: String?
    public var symbols: [Symbol]
    public var mode: AccountMode
    public var network: Network
    public var initialCapital: FixedDecimal
    public var riskLimits: String
    /// The paper venue's realism profile by name (`venue` or `noisy`).
    public var paperRealism: String

    public init(name: String, driverKind: String, driverSettings: String = "{}", provider: String? = nil, model: String? = nil,
                symbols: [Symbol], mode: AccountMode = .paper, network: Network = .testnet,
                initialCapital: FixedDecimal, riskLimits: String = "{}", paperRealism: String = "venue") {
        self.paperRealism = paperRealism
        self.name = name
        self.driverKind = driverKind
        self.driverSettings = driverSettings
        self.provider = provider
        self.model = model
        self.symbols = symbols
        self.mode = mode
        self.network = network
        self.initialCapital = initialCapital
        self.riskLimits = riskLimits
    }
}

/// One call of a driver, as recorded in `decisions`.
public struct DecisionRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable { case accepted, hold, rejected, failed }
    public var accountID: AccountID
    public var time: Timestamp
    public var driverKind: String
    public var provider: String?
    public var model: String?
    public var prompt: String?
    public var rawResponse: String?
    public var reasoning: String?
    /// The parsed decision as JSON text.
    public var parsedDecision: String?
    public var outcome: Outcome
    public var rejectionReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var costUSD: FixedDecimal?
    public var latencyMilliseconds: Int?

    public init(accountID: AccountID, time: Timestamp, driverKind: String, provider: String? = nil, model: String? = nil,
                prompt: String? = nil, rawResponse: String? = nil, reasoning: String? = nil, parsedDecision: String? = nil,
                outcome: Outcome, rejectionReason: String? = nil, promptTokens: Int? = nil, completionTokens: Int? = nil,
                costUSD: FixedDecimal? = nil, latencyMilliseconds: Int? = nil) {
        self.accountID = accountID
        self.time = time
        self.driverKind = driverKind
        self.provider = provider
        self.model = model
        self.prompt = prompt
        self.rawResponse = rawResponse
        self.reasoning = reasoning
        self.parsedDecision = parsedDecision
        self.outcome = outcome
        self.rejectionReason = rejectionReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
        self.latencyMilliseconds = latencyMilliseconds
    }
}

/// One point of an account's equity curve.
public struct SnapshotRecord: Sendable, Hashable {
    public var accountID: AccountID
    public var time: Timestamp
    public var equity: FixedDecimal
    public var cash: FixedDecimal
    public var unrealizedPnl: FixedDecimal
    public var marginUsed: FixedDecimal

    public init(accountID: AccountID, time: Timestamp, equity: FixedDecimal, cash: FixedDecimal,
                unrealizedPnl: FixedDecimal, marginUsed: FixedDecimal) {
        self.accountID = accountID
        self.time = time
        self.equity = equity
        self.cash = cash
        self.unrealizedPnl = unrealizedPnl
        self.marginUsed = marginUsed
    }
}

/// An order as stored, with its database id.
public struct StoredOrder: Sendable, Hashable {
    public var id: Int64
    public var accountID: AccountID
    public var decisionID: Int64?
    public var mode: AccountMode
    public var order: Order
}

/// A fill as stored, with its database ids.
public struct StoredFill: Sendable, Hashable {
    public var id: Int64
    public var accountID: AccountID
    public var orderID: Int64
    public var fill: Fill
}

/// Everything one executor call changed, written in one transaction.
public struct ExecutionRecord: Sendable {
    public var accountID: AccountID
    public var decisionID: Int64?
    public var mode: AccountMode
    public var events: [ExchangeEvent]
    /// The account's cash after the events.
    public var cash: FixedDecimal
    /// The ledger's running totals after the events.
    public var totals: LedgerTotals
    /// Every position the events touched, after them (flat ones are deleted).
    public var positions: [Position]
    public var orderSequence: UInt64
    public var time: Timestamp

    public init(accountID: AccountID, decisionID: Int64?, mode: AccountMode, events: [ExchangeEvent], cash: FixedDecimal,
                totals: LedgerTotals, positions: [Position], orderSequence: UInt64, time: Timestamp) {
        self.totals = totals
        self.accountID = accountID
        self.decisionID = decisionID
        self.mode = mode
        self.events = events
        self.cash = cash
        self.positions = positions
        self.orderSequence = orderSequence
        self.time = time
    }
}
