import ArenaCore
import JSONCore

/// The four phases of the hedging cycle (seed 000's names, as the logs and the API show them).
public enum HedgePhase: String, Sendable, Codable, Hashable, CaseIterable {
    case advance = "ADVANCE"
    case retracement = "RETRACEMENT"
    case decline = "DECLINE"
    case recovery = "RECOVERY"
}

/// What one action did to the virtual legs, in coins (positive grows the leg), kept so that a
/// reversal can undo exactly that action.
public struct HedgeLegChange: Sendable, Codable, Hashable {
    /// The unit at which the action happened.
    public var unit: Int
    /// Change of the long leg in coins.
    /// The long leg in coins.
    public var longSize: FixedDecimal
    /// Change of the short leg in coins (positive opens or adds short).
    /// The short leg in coins (a positive number).
    public var shortSize: FixedDecimal

    /// Creates a change record.
    public init(unit: Int, longSize: FixedDecimal, shortSize: FixedDecimal) {
        self.unit = unit
        self.longSize = longSize
        self.shortSize = shortSize
    }

    enum CodingKeys: String, CodingKey {
        case unit
        case longSize = "long_size"
        case shortSize = "short_size"
    }
}

/// The four-phase hedging strategy's whole state, as persisted with the account after every
/// decision (JSON, decimals as exact strings).
///
/// The legs are virtual: the venue holds one net position per coin, `longSize - shortSize`.
/// Sizes are kept in coins so that the legs' values follow the price exactly; `longValue` and
/// `shortValue` are their notionals at `lastPrice`. `cash` is the notional the strategy holds
/// back, in USD: it grows when a long sale is not moved into the short, shrinks when the strategy
/// buys from it, and receives the short's realised PnL when the short is covered, so that
/// `cash + longSize × price + shortSize × (2 × shortEntryPrice - price)` (the virtual equity) moves
/// only with the market, exactly as the venue account does before fees.
public struct HedgeState: Sendable, Codable, Hashable, PersistedDriverState {
    /// The format of this JSON, raised when a field changes meaning.
    public var version: Int
    /// The coin the cycle trades.
    public var symbol: Symbol
    /// The price distance of one unit in the cycle now running.
    public var unitSize: FixedDecimal
    /// The configured unit size; a different one takes over at the next RESET.
    public var configuredUnitSize: FixedDecimal
    /// The margin (USD) of the opening buy.
    public var initialMargin: FixedDecimal
    /// The leverage the start was bought with.
    public var leverage: Int
    /// Whether the opening buy has filled (in part at least).
    public var started: Bool
    /// Where the cycle is.
    public var phase: HedgePhase
    /// The price units count from: the opening fill's average, then the price at each RESET.
    public var entryPrice: FixedDecimal
    /// `trunc((price - entryPrice) / unitSize)` at the last step.
    public var currentUnit: Int
    /// The highest unit of the cycle's advance.
    public var peakUnit: Int
    /// The lowest unit of the decline.
    public var valleyUnit: Int
    /// 10% of the long leg's value, set at the start and at each new peak.
    public var positionFragment: FixedDecimal
    /// 25% of the short leg's value, set at the first unit up from a valley.
    public var hedgeFragment: FixedDecimal
    /// The margin (USD) the cycle runs on: the initial margin, then the margin value at each RESET.
    public var currentPositionAllocation: FixedDecimal
    /// Notional of the long leg at `lastPrice`.
    public var longValue: FixedDecimal
    /// Notional of the short leg at `lastPrice`.
    public var shortValue: FixedDecimal
    /// Notional held back, in USD.
    public var cash: FixedDecimal
    public var longSize: FixedDecimal
    public var shortSize: FixedDecimal
    /// Average price of the short leg's open size.
    public var shortEntryPrice: FixedDecimal
    /// The mid of the last step.
    public var lastPrice: FixedDecimal
    /// The actions of the running retracement, oldest first, for reversals.
    public var retracementActions: [HedgeLegChange]
    /// The actions of the running recovery, oldest first, for reversals.
    public var recoveryActions: [HedgeLegChange]
    /// How many RESETs have happened.
    public var resets: Int
    /// What the last reconciliation found (filled share, rollbacks), for the operator.
    public var lastReconciliation: String?

    /// The state of a driver that has not bought yet.
    public init(symbol: Symbol, unitSize: FixedDecimal, initialMargin: FixedDecimal) {
        version = 1
        self.symbol = symbol
        self.unitSize = unitSize
        configuredUnitSize = unitSize
        self.initialMargin = initialMargin
        leverage = 1
        started = false
        phase = .advance
        entryPrice = .zero
        currentUnit = 0
        peakUnit = 0
        valleyUnit = 0
        positionFragment = .zero
        hedgeFragment = .zero
        currentPositionAllocation = initialMargin
        longValue = .zero
        shortValue = .zero
        cash = .zero
        longSize = .zero
        shortSize = .zero
        shortEntryPrice = .zero
        lastPrice = .zero
        retracementActions = []
        recoveryActions = []
        resets = 0
        lastReconciliation = nil
    }

    enum CodingKeys: String, CodingKey {
        case version, symbol, leverage, started, phase, cash, resets
        case unitSize = "unit_size"
        case configuredUnitSize = "configured_unit_size"
        case initialMargin = "initial_margin"
        case entryPrice = "entry_price"
        case currentUnit = "current_unit"
        case peakUnit = "peak_unit"
        case valleyUnit = "valley_unit"
        case positionFragment = "position_fragment"
        case hedgeFragment = "hedge_fragment"
        case currentPositionAllocation = "current_position_allocation"
        case longValue = "long_value"
        case shortValue = "short_value"
        case longSize = "long_size"
        case shortSize = "short_size"
        case shortEntryPrice = "short_entry_price"
        case lastPrice = "last_price"
        case retracementActions = "retracement_actions"
        case recoveryActions = "recovery_actions"
        case lastReconciliation = "last_reconciliation"
    }

    /// The net position in coins the legs stand for (positive long).
    public var netSize: FixedDecimal { longSize - shortSize }

    /// Cash, long value and the short's value including its PnL, at `price`.
    public func virtualEquity(at price: FixedDecimal) -> FixedDecimal {
        cash + longSize * price + shortSize * (shortEntryPrice * 2 - price)
    }

    /// Checks what a persisted state must satisfy before it is trusted.
    /// - Throws: `DriverError` naming the first broken rule.
    func validate() throws {
        guard version == 1 else { throw DriverError("Unknown hedge state version \(version).") }
        guard unitSize.isPositive, configuredUnitSize.isPositive else { throw DriverError("The hedge state's unit size must be positive.") }
        guard !longSize.isNegative, !shortSize.isNegative else { throw DriverError("The hedge state's leg sizes must not be negative.") }
        guard (1...100).contains(leverage) else { throw DriverError("The hedge state's leverage must be 1 to 100.") }
        guard !started || entryPrice.isPositive else { throw DriverError("A started hedge state needs a positive entry price.") }
        let bound = 1_000_000
        for unit in [currentUnit, peakUnit, valleyUnit] + retracementActions.map(\.unit) + recoveryActions.map(\.unit)
        where unit.magnitude > bound {
            throw DriverError("The hedge state's units must be within ±\(bound).")
        }
    }
}

// Its members listed by hand (`JSONMembersWritable`): the state is encoded after every decision
// that moves it, and `Encodable`'s containers cost several times the writing.
extension HedgeState: JSONMembersWritable {
    public func writeMembers(to members: JSONMembers) throws {
        members.add("version", version)
        members.add("symbol", symbol.name)
        members.add("unit_size", unitSize.description)
        members.add("configured_unit_size", configuredUnitSize.description)
        members.add("initial_margin", initialMargin.description)
        members.add("leverage", leverage)
        members.add("started", started)
        members.add("phase", phase.rawValue)
        members.add("entry_price", entryPrice.description)
        members.add("current_unit", currentUnit)
        members.add("peak_unit", peakUnit)
        members.add("valley_unit", valleyUnit)
        members.add("position_fragment", positionFragment.description)
        members.add("hedge_fragment", hedgeFragment.description)
        members.add("current_position_allocation", currentPositionAllocation.description)
        members.add("long_value", longValue.description)
        members.add("short_value", shortValue.description)
        members.add("cash", cash.description)
        members.add("long_size", longSize.description)
        members.add("short_size", shortSize.description)
        members.add("short_entry_price", shortEntryPrice.description)
        members.add("last_price", lastPrice.description)
        try members.add("retracement_actions", retracementActions)
        try members.add("recovery_actions", recoveryActions)
        members.add("resets", resets)
        members.add("last_reconciliation", lastReconciliation)
    }
}

extension HedgeLegChange: JSONMembersWritable {
    public func writeMembers(to members: JSONMembers) {
        members.add("unit", unit)
        members.add("long_size", longSize.description)
        members.add("short_size", shortSize.description)
    }
}
