import ArenaCore

/// How a copier sizes its positions from the trader's.
public enum CopySizing: Sendable, Hashable {
    /// Copier size = trader size × ratio.
    case ratio(FixedDecimal)
    /// The trader's whole book scaled so that the trader's account value corresponds to this many
    /// USD: copier size = trader size × notional / the trader's account value.
    case notionalUSD(FixedDecimal)
}

/// What a copy account follows and how.
public struct CopyParameters: Sendable, Hashable {
    /// The trader mirrored.
    public var trader: TraderAddress
    public var sizing: CopySizing
    /// A change of the trader's positions is acted on only once it has been seen this long (market time).
    public var delayMilliseconds: Int64
    /// No single order is worth more than this (USD); the rest follows on later decisions. Nil: no cap.
    public var maximumTradeUSD: FixedDecimal?

    public init(trader: TraderAddress, sizing: CopySizing, delayMilliseconds: Int64 = 0, maximumTradeUSD: FixedDecimal? = nil) {
        self.trader = trader
        self.sizing = sizing
        self.delayMilliseconds = delayMilliseconds
        self.maximumTradeUSD = maximumTradeUSD
    }
}

/// Mirrors one tracked Hyperliquid trader's positions, scaled to the account (issue #14).
///
/// Each decision reads the trader's latest positions from the tracker (`TraderPositionSource`),
/// computes the position the account should hold in each of its own coins, and asks for it with a
/// `rebalance` instruction, so the same risk gate and executors (paper or live) apply as to every
/// driver. It always measures from the account's actual positions in the decision's context, never
/// from what it asked before: a partial fill or a refusal is simply retried next time.
///
/// - Coins the trader holds outside the account's symbols are ignored, and the rationale says so.
/// - With a delay, the trader's positions are remembered as they change, each with when it was first
///   seen, and the newest one seen at least the delay ago is mirrored.
/// - With a per-trade cap, one decision moves a coin by at most that notional per order; a flip
///   closes first, then opens.
/// - Differences worth less than the venue's minimum order are ignored; sizes are rounded to the
///   instrument's size decimals.
/// - When the trader's data is missing or older than three of the tracker's cadences (and at least
///   two minutes), it holds everything and raises one `trader_stale` alert per stale spell. Age is
///   measured on the wall clock, the tracker's own time base, so a replayed or sped-up market does
///   not make live data look stale (the delay, a trading rule, is in market time).
///
/// Its memory (the sightings waiting out the delay, the stale spell) is persisted with the account
/// (`CopyState`), so a restart neither waits a delay again nor repeats an alert.
public actor CopyDriver: Driver {
    /// What the trader held at one time, with when this driver first saw it (market time).
    struct Sighting: Sendable, Equatable {
        var since: Timestamp
        /// Signed sizes by coin, flat coins absent.
        var sizes: [Symbol: FixedDecimal]
        var accountValue: FixedDecimal
    }

    /// Data older than this many of the tracker's cadences is stale.
    public static let staleCadences: Int64 = 3
    /// Data is never stale younger than this (milliseconds).
    public static let staleFloorMilliseconds: Int64 = 120_000
    /// The most sightings kept while waiting out a delay.
    static let maximumSightings = 1_000
    /// The largest scale the notional sizing may reach (a trader with a tiny account value).
    static let maximumScale = FixedDecimal(1_000)
    /// The alert's kind.
    public static let staleAlertKind = "trader_stale"

    public nonisolated let kind = "copy"
    /// The settings it runs with.
    public nonisolated let parameters: CopyParameters
    private let source: any TraderPositionSource
    /// The tracker's time base, for how old its data is.
    private let clock: any WallClock
    /// The trader's positions as they changed, oldest first; the first is the one mirrored once due.
    private var sightings: [Sighting] = []
    private var followed = false
    private var followProblem: String?
    /// The wall-clock time of this run's first decision, for how long the tracker has had no data
    /// (not stored: a restarted tracker may take a cadence to see the trader again).
    private var firstDecision: Timestamp?
    /// Whether the current stale spell has raised its alert.
    private var staleAlerted = false

    /// What a restart could not resume, said in the first decision's rationale.
    private var restoreNote: String?

    /// Creates the driver, resuming `persistedState` when it is this copier's.
    /// - Parameters:
    ///   - parameters: The trader, the sizing, the delay and the per-trade cap.
    ///   - source: Where the tracked traders' positions are read (the runtime's tracker).
    ///   - clock: The wall clock the tracker stamps its observations with.
    ///   - persistedState: The JSON `persistentState()` returned. A state that is not a copy state of
    ///     this trader (another driver's before an update, or another trader's) is set aside and the
    ///     copier starts afresh, which only makes it wait: it never trades on a state it cannot read.
    public init(parameters: CopyParameters, source: any TraderPositionSource, clock: any WallClock = SystemClock(),
                persistedState: String? = nil) {
        self.parameters = parameters
        self.source = source
        self.clock = clock
        guard let persistedState else { return }
        do {
            let state = try CopyState.restored(from: persistedState, kind: "copy")
            guard state.trader == parameters.trader.text else {
                restoreNote = "Started afresh: the stored state followed \(state.trader), not \(parameters.trader)."
                return
            }
            sightings = state.sightings.map { Sighting(since: Timestamp(milliseconds: $0.since), sizes: $0.symbolSizes, accountValue: $0.account_value) }
            staleAlerted = state.stale_alerted
        } catch {
            restoreNote = "Started afresh: the stored driver state is not a copy state (\(error))."
        }
    }

    public func persistentState() async -> String? {
        CopyState(trader: parameters.trader.text, sightings: sightings.map(CopyState.StoredSighting.init), stale_alerted: staleAlerted)
            .persistedJSON
    }

    public func decide(_ context: DecisionContext) async throws -> DriverOutput {
        let trader = parameters.trader
        let now = clock.now()
        if firstDecision == nil { firstDecision = now }
        if !followed {
            // Following an untracked address starts tracking it; a failure is retried at the next decision.
            do {
                try await source.follow(trader.text)
                followed = true
                followProblem = nil
            } catch {
                followProblem = "\(error)"
            }
        }
        guard let latest = await source.latestPositions(of: trader.text) else {
            let waited = now.milliseconds - (firstDecision ?? now).milliseconds
            var reason = "Holding: the tracker has no positions for trader \(trader) yet"
            if let followProblem { reason += " (following it failed: \(followProblem))" }
            reason += "."
            guard waited >= Self.staleFloorMilliseconds else { return Self.output([], reason: reason) }
            return holdStale(reason, context: context,
                             detail: "the tracker has had no data for trader \(trader) for \(waited / 1000) s")
        }
        let age = now.milliseconds - latest.observedAt.milliseconds
        let limit = Self.staleLimit(cadenceMilliseconds: latest.cadenceMilliseconds)
        if age > limit {
            let reason = "Holding: trader \(trader)'s positions were last seen \(age / 1000) s ago, more than \(limit / 1000) s "
                + "(three of the tracker's cadence of \(latest.cadenceMilliseconds / 1000) s, at least two minutes)."
            return holdStale(reason, context: context, detail: "trader \(trader)'s positions were last seen \(age / 1000) s ago")
        }
        var notes: [String] = []
        if let restoreNote {
            notes.append(restoreNote)
            self.restoreNote = nil
        }
        if staleAlerted {
            staleAlerted = false
            notes.append("Trader \(trader)'s data is fresh again; copying resumes.")
        }
        remember(latest, at: context.time)
        guard let due = dueSighting(at: context.time) else {
            let first = sightings.first.map { $0.since.milliseconds } ?? context.time.milliseconds
            let wait = max(0, first + parameters.delayMilliseconds - context.time.milliseconds)
            notes.append("Holding: the trader's positions first seen at \(Timestamp(milliseconds: first)) are copied after the delay of "
                + "\(parameters.delayMilliseconds / 1000) s, in \(wait / 1000) s.")
            return Self.output([], reason: notes.joined(separator: "\n"))
        }
        let plan = plan(for: due, context: context)
        notes += plan.notes
        if plan.instructions.isEmpty { notes.append("In line with trader \(trader): no trade.") }
        return Self.output(plan.instructions, reason: notes.joined(separator: "\n"))
    }

    /// How old data may be before it is stale, for a tracker cadence.
    public static func staleLimit(cadenceMilliseconds: Int64) -> Int64 {
        let cadence = min(max(cadenceMilliseconds, 0), 86_400_000)
        return max(cadence * staleCadences, staleFloorMilliseconds)
    }

    /// Holds everything; the first hold of a stale spell raises the alert.
    private func holdStale(_ reason: String, context: DecisionContext, detail: String) -> DriverOutput {
        var alert: DriverAlert?
        if !staleAlerted {
            staleAlerted = true
            alert = DriverAlert(kind: Self.staleAlertKind,
                                message: "\(context.accountName) stopped copying and holds its positions: \(detail). "
                                    + "Check that the trader tracker runs and the venue answers; copying resumes with fresh data.")
        }
        var output = Self.output([], reason: reason)
        output.alert = alert
        return output
    }

    /// Notes the trader's positions if they changed since the last sighting.
    private func remember(_ positions: TraderPositions, at time: Timestamp) {
        let sizes = positions.positions.reduce(into: [Symbol: FixedDecimal]()) { sizes, entry in
            if !entry.value.size.isZero { sizes[entry.key] = entry.value.size }
        }
        guard sightings.last?.sizes != sizes else { return }
        sightings.append(Sighting(since: time, sizes: sizes, accountValue: positions.accountValue))
        if sightings.count > Self.maximumSightings { sightings.removeFirst(sightings.count - Self.maximumSightings) }
    }

    /// The newest sighting seen at least the delay ago; older ones are forgotten.
    private func dueSighting(at time: Timestamp) -> Sighting? {
        let cutoff = time.milliseconds - parameters.delayMilliseconds
        guard let index = sightings.lastIndex(where: { $0.since.milliseconds <= cutoff }) else { return nil }
        sightings.removeFirst(index)
        return sightings.first
    }

    struct Plan {
        var instructions: [SymbolDecision] = []
        var notes: [String] = []
    }

    /// The instructions that bring the account's coins toward the trader's scaled positions.
    func plan(for sighting: Sighting, context: DecisionContext) -> Plan {
        var plan = Plan()
        let allowed = Set(context.symbols)
        let ignored = sighting.sizes.keys.filter { !allowed.contains($0) }.sorted()
        if !ignored.isEmpty {
            let held = ignored.map { "\($0) \(Self.sideWord(sighting.sizes[$0] ?? .zero))" }
            plan.notes.append("Ignored, not among this account's coins: \(held.joined(separator: ", ")).")
        }
        let scale: FixedDecimal
        switch parameters.sizing {
        case .ratio(let ratio):
            scale = ratio
            plan.notes.append("Sizing: the trader's sizes × \(ratio).")
        case .notionalUSD(let notional):
            guard sighting.accountValue.isPositive, notional / Self.maximumScale <= sighting.accountValue else {
                plan.notes.append("Holding: the trader's account value \(sighting.accountValue) USD is too small to scale to "
                    + "\(notional) USD (at most \(Self.maximumScale)×).")
                return plan
            }
            scale = notional / sighting.accountValue
            plan.notes.append("Sizing: \(notional) USD for the trader's account value of \(sighting.accountValue.rounded(decimals: 2)) USD "
                + "(× \(scale)).")
        }
        for symbol in context.symbols.sorted() {
            let traderSize = sighting.sizes[symbol] ?? .zero
            let current = context.account.positions[symbol]?.size ?? .zero
            guard !traderSize.isZero || !current.isZero else { continue }
            guard let quote = context.market[symbol], quote.mid.isPositive else {
                plan.notes.append("\(symbol): no market price; not copied this time.")
                continue
            }
            let instrument = context.instrument(symbol)
            guard let scaled = Self.boundedProduct(traderSize, scale), Self.boundedProduct(scaled, quote.mid) != nil else {
                plan.notes.append("\(symbol): the trader's \(traderSize) scaled by \(scale) is beyond what can be traded; not copied.")
                continue
            }
            let target = scaled.isNegative ? -instrument.roundSize(scaled.magnitude) : instrument.roundSize(scaled)
            let trader = "trader \(Self.sideWord(traderSize)) -> target \(target)"
            guard target != current else {
                plan.notes.append("\(symbol): \(trader), held \(current): in line.")
                continue
            }
            if !target.isZero, (target - current).magnitude * quote.mid < Instrument.minimumOrderValue {
                plan.notes.append("\(symbol): \(trader), held \(current): the difference is below the venue's minimum order of "
                    + "\(Instrument.minimumOrderValue) USD; no trade.")
                continue
            }
            let step = capped(from: current, to: target, mid: quote.mid, instrument: instrument)
            guard step != current else {
                plan.notes.append("\(symbol): \(trader), held \(current): max_trade_usd \(parameters.maximumTradeUSD ?? .zero) is below one "
                    + "size step at \(quote.mid); no trade.")
                continue
            }
            var line = "\(symbol): \(trader), held \(current): \(Self.change(from: current, to: target))"
            if step != target {
                line += "; this decision goes to \(step) (orders capped at max_trade_usd \(parameters.maximumTradeUSD ?? .zero)), the rest follows"
            }
            plan.notes.append(line + ".")
            let leverage = max(1, min(context.maxLeverage, instrument.maxLeverage))
            plan.instructions.append(SymbolDecision(symbol: symbol, action: .rebalance, targetSize: step, leverage: leverage,
                                                    justification: line))
        }
        return plan
    }

    /// The position one decision may go to on the way from `current` to `target` when no order may
    /// be worth more than the cap. A flip is two orders (close, then open), each capped.
    func capped(from current: FixedDecimal, to target: FixedDecimal, mid: FixedDecimal, instrument: Instrument) -> FixedDecimal {
        guard let cap = parameters.maximumTradeUSD else { return target }
        let capSize = instrument.roundSize(cap / mid)
        let flips = !current.isZero && !target.isZero && current.signum != target.signum
        if flips {
            // Close what is held first, capped; the opening order comes once the close fits in one order.
            if current.magnitude > capSize { return current.isPositive ? current - capSize : current + capSize }
            return target.isPositive ? FixedDecimal.min(target, capSize) : FixedDecimal.max(target, -capSize)
        }
        let delta = target - current
        guard delta.magnitude > capSize else { return target }
        return delta.isPositive ? current + capSize : current - capSize
    }

    /// `a × b`, or nil when it would be beyond ±10 billion (the exact type's range is about ±92 billion).
    static func boundedProduct(_ a: FixedDecimal, _ b: FixedDecimal) -> FixedDecimal? {
        // Double only bounds the magnitude here; the product itself is exact.
        let estimate = Double(a.raw) / Double(FixedDecimal.unit) * (Double(b.raw) / Double(FixedDecimal.unit))
        guard estimate.magnitude < 1e10 else { return nil }
        return a * b
    }

    /// The event name of going from `current` to `target`, as the tracker names a trader's changes.
    static func change(from current: FixedDecimal, to target: FixedDecimal) -> String {
        if current.isZero { return target.isPositive ? "OPEN long" : "OPEN short" }
        if target.isZero { return "CLOSE" }
        if current.signum != target.signum { return target.isPositive ? "FLIP to long" : "FLIP to short" }
        return target.magnitude > current.magnitude ? "INCREASE" : "DECREASE"
    }

    static func sideWord(_ size: FixedDecimal) -> String {
        size.isZero ? "flat" : (size.isPositive ? "long \(size)" : "short \(size.magnitude)")
    }

    static func output(_ instructions: [SymbolDecision], reason: String) -> DriverOutput {
        DriverOutput(decision: Decision(instructions: instructions, reasoning: reason), rawResponse: reason)
    }
}

/// A copy driver's memory as stored with its account.
struct CopyState: PersistedDriverState {
    /// One sighting: when first seen (market time, milliseconds), the signed sizes by coin and the
    /// trader's account value then.
    struct StoredSighting: Codable {
        var since: Int64
        var sizes: [String: FixedDecimal]
        var account_value: FixedDecimal

        init(_ sighting: CopyDriver.Sighting) {
            since = sighting.since.milliseconds
            sizes = Dictionary(uniqueKeysWithValues: sighting.sizes.map { ($0.key.name, $0.value) })
            account_value = sighting.accountValue
        }

        var symbolSizes: [Symbol: FixedDecimal] {
            sizes.reduce(into: [Symbol: FixedDecimal]()) { result, entry in
                if let symbol = Symbol(entry.key) { result[symbol] = entry.value }
            }
        }
    }

    var trader: String
    var sightings: [StoredSighting]
    var stale_alerted: Bool

    func validate() throws {
        guard sightings.count <= CopyDriver.maximumSightings else { throw DriverError("A copy state holds more than \(CopyDriver.maximumSightings) sightings.") }
        guard zip(sightings, sightings.dropFirst()).allSatisfy({ $0.since <= $1.since }) else {
            throw DriverError("A copy state's sightings are not in time order.")
        }
        for sighting in sightings {
            guard sighting.sizes.keys.allSatisfy({ Symbol($0) != nil }) else { throw DriverError("A copy state names a coin that is not one.") }
        }
    }
}
