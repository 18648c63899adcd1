import ArenaCore
import Drivers
import Storage
import Synchronization

/// What the tracker reports about itself: whether it runs, and the cadence it achieves.
public struct TraderTrackingStatus: Encodable, Sendable, Hashable {
    /// Whether traders are tracked on this server.
    public var enabled: Bool
    /// Why not, when not.
    public var reason: String?
    public var coins: [String]
    public var discover_seconds: Int
    /// The cadence asked for: seconds between two looks at one trader.
    public var track_seconds: Int
    /// The cadence the last full pass achieved (seconds between two looks at one trader); null before one.
    public var achieved_cadence_seconds: Double?
    /// Traders looked at in the last pass, and how many of those looks failed.
    public var last_pass_traders: Int
    public var last_pass_failures: Int
    public var last_pass_at: Int64?
    public var last_discovery_at: Int64?
    /// Request weight a minute the tracker never spends, so live orders never wait on it.
    public var weight_reserve: Int

    public init(enabled: Bool, reason: String? = nil, coins: [String], discoverSeconds: Int, trackSeconds: Int, weightReserve: Int) {
        self.enabled = enabled
        self.reason = reason
        self.coins = coins
        discover_seconds = discoverSeconds
        track_seconds = trackSeconds
        last_pass_traders = 0
        last_pass_failures = 0
        weight_reserve = weightReserve
    }
}

/// The tracked traders as the API, the leaderboard and copy drivers see them: reads from the
/// ledger, the latest positions the tracker observed, and adding or dropping a trader. It is what
/// `DriverEnvironment.traderPositions` holds; the `TraderTracker` service keeps it current.
public final class TraderBook: TraderPositionSource, Sendable {
    public let ledger: LedgerStore
    let clock: any WallClock
    private let latest = Mutex<[String: TraderPositions]>([:])
    private let trackingStatus: Mutex<TraderTrackingStatus>

    /// Creates the book of `ledger`'s traders; `status` says whether a tracker will run.
    public init(ledger: LedgerStore, status: TraderTrackingStatus, clock: any WallClock = SystemClock()) {
        self.ledger = ledger
        self.clock = clock
        trackingStatus = Mutex(status)
    }

    /// What the tracker last reported about itself.
    public var status: TraderTrackingStatus { trackingStatus.withLock { $0 } }

    func updateStatus(_ change: (inout TraderTrackingStatus) -> Void) {
        trackingStatus.withLock { change(&$0) }
    }

    func observed(_ positions: TraderPositions) {
        latest.withLock { $0[positions.address] = positions }
    }

    // MARK: TraderPositionSource

    /// The latest positions of `address`: as the tracker last saw them, or as stored before a restart.
    public func latestPositions(of address: String) async -> TraderPositions? {
        guard let address = try? TraderAddress.parse(address) else { return nil }
        if let cached = latest.withLock({ $0[address] }) { return cached }
        guard let trader = try? ledger.trader(address: address), let observedAt = trader.lastTracked,
              let stored = try? ledger.traderPositions(of: [trader.id])[trader.id] ?? [] else { return nil }
        var positions: [Symbol: TraderPositions.Position] = [:]
        for position in stored where position.size != .zero {
            positions[position.symbol] = TraderPositions.Position(symbol: position.symbol, size: position.size,
                                                                  entryPrice: position.entryPrice ?? .zero)
        }
        let cadence = Int64((status.achieved_cadence_seconds ?? Double(status.track_seconds)) * 1000)
        return TraderPositions(address: address, accountValue: trader.accountValue ?? .zero, positions: positions, observedAt: observedAt,
                               cadenceMilliseconds: cadence)
    }

    /// Starts tracking `address` for a copy account (source `copy`), unless tracked already. A
    /// trader an operator stopped, or the venue does not know, stays stopped: only
    /// `POST /api/traders/{address}/track` tracks it again, so a copier's restart never undoes it.
    /// - Throws: `ArenaError.invalidRequest` for a malformed or stopped address, or a storage error.
    public func follow(_ address: String) async throws {
        let parsed = try TraderAddress.parse(address)
        // Copy drivers call this at every decision: a read when the trader is tracked already.
        if let known = try ledger.trader(address: parsed) {
            if known.active { return }
            throw ArenaError.invalidRequest(
                "\(parsed) is not tracked (\(known.deactivatedReason ?? "tracking was stopped")); POST /api/traders/\(parsed)/track tracks it again.")
        }
        _ = try ledger.addTrader(address: parsed, source: .copy, now: clock.now())
    }

    // MARK: The API's reads and commands

    /// Every trader (active or inactive only when asked), with positions and followers.
    public func traders(active: Bool? = nil) throws -> [TraderView] {
        let records = try ledger.traders(active: active)
        let positions = try ledger.traderPositions()
        let followers = try ledger.copyFollowers()
        let now = clock.now()
        return records.map { TraderView($0, positions: positions[$0.id] ?? [], followers: followers[$0.address] ?? [], now: now) }
    }

    /// Every trader's record, for the leaderboard.
    public func records() throws -> [TraderRecord] { try ledger.traders() }

    /// The trader with `id`, or nil.
    public func trader(id: Int64) throws -> TraderView? {
        guard let record = try ledger.trader(id: id) else { return nil }
        return try view(record)
    }

    private func view(_ record: TraderRecord) throws -> TraderView {
        TraderView(record, positions: try ledger.traderPositions(of: [record.id])[record.id] ?? [],
                   followers: try ledger.copyFollowers()[record.address] ?? [], now: clock.now())
    }

    /// The events of trader `id`, newest first.
    /// - Throws: `ArenaError.notFound` when there is no such trader.
    public func events(of id: Int64, before: Int64?, limit: Int) throws -> [TraderEventView] {
        guard try ledger.trader(id: id) != nil else { throw ArenaError.notFound("No trader \(id) (GET /api/traders lists them).") }
        return try ledger.traderEvents(of: id, before: before, limit: limit).map(TraderEventView.init)
    }

    /// Starts tracking `address` (or again, when it was stopped); returns it and whether it is new.
    /// - Throws: `ArenaError.invalidRequest` saying what is wrong with the address, or a storage error.
    public func track(_ address: String, source: TraderSource) throws -> (trader: TraderView, added: Bool) {
        let parsed = try TraderAddress.parse(address)
        let (record, added) = try ledger.addTrader(address: parsed, source: source, now: clock.now())
        return (try view(record), added)
    }

    /// Stops tracking `address`, keeping its history and events.
    /// - Throws: `ArenaError.invalidRequest` for a malformed address, `.notFound` for one not tracked.
    public func stopTracking(_ address: String, reason: String) throws -> TraderView {
        let parsed = try TraderAddress.parse(address)
        guard let record = try ledger.trader(address: parsed) else {
            throw ArenaError.notFound("\(parsed) is not a tracked trader (POST /api/traders/\(parsed)/track tracks it).")
        }
        try ledger.deactivateTrader(record.id, reason: reason)
        latest.withLock { _ = $0.removeValue(forKey: parsed) }
        guard let updated = try ledger.trader(id: record.id) else { throw ArenaError.notFound("No trader \(record.id).") }
        return try view(updated)
    }
}
