import ArenaCore
import JSONCore

/// Where a Fibonacci cycle is: riding the long, or hedged to one of three depths.
public enum FibonacciPhase: String, Sendable, Codable, Hashable, CaseIterable {
    case riding = "RIDING"
    case hedged = "HEDGED"
    case reduced = "REDUCED"
    case out = "OUT"

    /// How many retracement levels the phase stands for (RIDING 0 to OUT 3).
    public var depth: Int {
        switch self {
        case .riding: 0
        case .hedged: 1
        case .reduced: 2
        case .out: 3
        }
    }

    /// The phase of `depth` levels (clamped to 0...3).
    public init(depth: Int) {
        switch depth {
        case ...0: self = .riding
        case 1: self = .hedged
        case 2: self = .reduced
        default: self = .out
        }
    }

    /// The long leg `A` and the hedge leg `B` of the phase, as fractions of the base notional.
    public var legs: (long: FixedDecimal, short: FixedDecimal) {
        let half = FixedDecimal(5, exponent: 1)
        switch self {
        case .riding: return (.one, .zero)
        case .hedged: return (half, half)
        case .reduced: return (FixedDecimal(25, exponent: 2), half)
        case .out: return (.zero, half)
        }
    }
}

/// The Fibonacci hedge's whole state, persisted with the account after every decision (JSON with
/// sorted keys, decimals as exact strings), so that a restart resumes it exactly.
///
/// The legs are fractions of the base notional `N` (USD); the venue holds their net,
/// `(A - B) × N / price` coins, set each time a leg changes.
public struct FibonacciState: Sendable, Codable, Hashable, PersistedDriverState {
    /// The format of this JSON, raised when a field changes meaning.
    public var version: Int
    /// The coin the cycle trades.
    public var symbol: Symbol
    /// Whether the opening long has filled.
    public var started: Bool
    /// Where the cycle is.
    public var phase: FibonacciPhase
    /// The bottom of the swing the retracement is measured on.
    public var swingLow: FixedDecimal
    /// The top of the swing the retracement is measured on.
    public var swingHigh: FixedDecimal
    /// The lowest price since the phase left RIDING (zero before it first did).
    public var valley: FixedDecimal
    /// The long leg `A`, a fraction of `N`.
    public var longLeg: FixedDecimal
    /// The hedge (short) leg `B`, a fraction of `N`.
    public var shortLeg: FixedDecimal
    /// The base notional `N` in USD: the strategy's equity times the leverage at the cycle's start.
    public var baseNotional: FixedDecimal
    /// The cycle counter: 1 from the opening long, one more at each new cycle.
    public var cycle: Int
    /// How many retracement levels the running hedge has reached (0 to 3).
    public var levelReached: Int
    /// The leverage of the cycle.
    public var leverage: Int
    /// The account's equity just before the opening long, so that the strategy's own equity is
    /// `initial_margin + equity now - equityBaseline` when the account holds more than it trades.
    public var equityBaseline: FixedDecimal
    /// The mid of the last decision.
    public var lastPrice: FixedDecimal
    /// The retracement `r` at the last decision (0 while the swing is below its minimum).
    public var lastRetracement: FixedDecimal
    /// The trailing stop's price, `valley + trail_fraction × range`, while the phase is HEDGED or
    /// deeper; nil in RIDING. Kept with the state so that it shows what the rules used.
    public var trailingStop: FixedDecimal?
    /// What the last reconciliation found (steps filled, a step left for the next update).
    public var lastReconciliation: String?

    /// The state of a driver that has not bought yet.
    public init(symbol: Symbol) {
        version = 1
        self.symbol = symbol
        started = false
        phase = .riding
        swingLow = .zero
        swingHigh = .zero
        valley = .zero
        longLeg = .zero
        shortLeg = .zero
        baseNotional = .zero
        cycle = 0
        levelReached = 0
        leverage = 1
        equityBaseline = .zero
        lastPrice = .zero
        lastRetracement = .zero
        trailingStop = nil
        lastReconciliation = nil
    }

    enum CodingKeys: String, CodingKey {
        case version, symbol, started, phase, valley, cycle, leverage
        case swingLow = "swing_low"
        case swingHigh = "swing_high"
        case longLeg = "long_leg"
        case shortLeg = "short_leg"
        case baseNotional = "base_notional"
        case levelReached = "level_reached"
        case equityBaseline = "equity_baseline"
        case lastPrice = "last_price"
        case lastRetracement = "last_retracement"
        case trailingStop = "trailing_stop"
        case lastReconciliation = "last_reconciliation"
    }

    /// `swing_high - swing_low`.
    public var range: FixedDecimal { swingHigh - swingLow }

    /// The net of the legs, `A - B`, as a fraction of `N`.
    public var netLeg: FixedDecimal { longLeg - shortLeg }

    /// The trailing stop, `valley + trail × range`, once the phase is HEDGED or deeper; nil in RIDING.
    public func stop(trailFraction: FixedDecimal) -> FixedDecimal? {
        phase == .riding ? nil : valley + trailFraction * range
    }

    /// The retracement of `price` from the swing high as a fraction of the range (0 at the high, 1
    /// at the low); 0 while the range is below `minSwingPercent` of the swing low.
    public func retracement(at price: FixedDecimal, minSwingPercent: FixedDecimal) -> FixedDecimal {
        let range = self.range
        guard range.isPositive, range >= swingLow * minSwingPercent / FixedDecimal(100) else { return .zero }
        return (swingHigh - price) / range
    }

    /// The venue position in coins the legs stand for at `price`, rounded toward zero to the coin's size step.
    public func targetSize(at price: FixedDecimal, instrument: Instrument) -> FixedDecimal {
        let coins = netLeg * baseNotional / price
        return coins.isNegative ? -instrument.roundSize(coins.magnitude) : instrument.roundSize(coins)
    }

    /// Checks what a persisted state must satisfy before it is trusted.
    /// - Throws: `DriverError` naming the first broken rule.
    func validate() throws {
        guard version == 1 else { throw DriverError("Unknown Fibonacci state version \(version).") }
        guard (1...100).contains(leverage) else { throw DriverError("The Fibonacci state's leverage must be 1 to 100.") }
        guard (0...3).contains(levelReached) else { throw DriverError("The Fibonacci state's level_reached must be 0 to 3.") }
        guard cycle >= 0 else { throw DriverError("The Fibonacci state's cycle must not be negative.") }
        let legs = phase.legs
        guard !started || (longLeg == legs.long && shortLeg == legs.short) else {
            throw DriverError("The Fibonacci state's legs do not match its phase \(phase.rawValue).")
        }
        guard !started || (swingLow.isPositive && swingHigh >= swingLow && baseNotional.isPositive) else {
            throw DriverError("A started Fibonacci state needs a positive swing low, a swing high at or above it and a positive notional.")
        }
    }
}

// Its members listed by hand (`JSONMembersWritable`): the state is encoded after every decision
// (its last price changes each time), and `Encodable`'s containers cost several times the writing.
extension FibonacciState: JSONMembersWritable {
    public func writeMembers(to members: JSONMembers) {
        members.add("version", version)
        members.add("symbol", symbol.name)
        members.add("started", started)
        members.add("phase", phase.rawValue)
        members.add("swing_low", swingLow.description)
        members.add("swing_high", swingHigh.description)
        members.add("valley", valley.description)
        members.add("long_leg", longLeg.description)
        members.add("short_leg", shortLeg.description)
        members.add("base_notional", baseNotional.description)
        members.add("cycle", cycle)
        members.add("level_reached", levelReached)
        members.add("leverage", leverage)
        members.add("equity_baseline", equityBaseline.description)
        members.add("last_price", lastPrice.description)
        members.add("last_retracement", lastRetracement.description)
        members.add("trailing_stop", trailingStop?.description)
        members.add("last_reconciliation", lastReconciliation)
    }
}
