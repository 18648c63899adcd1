import ArenaCore
import Drivers
import Foundation
import HTTP
import Hyperliquid
import Logging
import ServiceLifecycle
import Storage

/// How the tracker runs: `arena serve --traders-coins … --traders-discover-seconds …
/// --traders-track-seconds …`.
public struct TraderTrackingConfiguration: Sendable, Hashable {
    /// The coins whose recent trades name new traders.
    public var coins: [String]
    /// Seconds between two looks at the coins' recent trades.
    public var discoverSeconds: Int
    /// Seconds between two looks at one trader, the cadence asked for.
    public var trackSeconds: Int
    /// Weight a minute of the venue's 1200 the tracker never spends: live orders' share.
    public var weightReserve: Int
    /// How far back a trader's fills are read at its first look, for its metrics.
    public var fillsLookbackMilliseconds: Int64

    public init(coins: [String] = ["BTC", "ETH", "SOL"], discoverSeconds: Int = 900, trackSeconds: Int = 60, weightReserve: Int = 300,
                fillsLookbackMilliseconds: Int64 = 30 * 86_400_000) {
        self.coins = coins
        self.discoverSeconds = discoverSeconds
        self.trackSeconds = trackSeconds
        self.weightReserve = weightReserve
        self.fillsLookbackMilliseconds = fillsLookbackMilliseconds
    }

    /// The status of a tracker with this configuration (or of none, with the reason).
    public func status(enabled: Bool, reason: String? = nil) -> TraderTrackingStatus {
        TraderTrackingStatus(enabled: enabled, reason: reason, coins: coins, discoverSeconds: discoverSeconds, trackSeconds: trackSeconds,
                             weightReserve: weightReserve)
    }
}

/// A venue answer the tracker cannot use.
struct TraderAnswerError: Error, CustomStringConvertible {
    let description: String
}

/// Discovers traders on the venue's public tape and follows each active one's positions: every
/// `trackSeconds` it looks at each trader (`clearinghouseState`), spread evenly over the interval,
/// and stores what changed as events, each with its `trader_event` feed message in one
/// transaction. After a failed look, and for every trader at start, the fills since the last look
/// (`userFillsByTime`) fill the gap first. Its requests wait in the limiter's background lane:
/// the weight reserve stays free for live orders, which never queue behind it.
public final class TraderTracker: Service, Sendable {
    let book: TraderBook
    let recorder: Recorder
    let info: HyperliquidInfoClient
    let configuration: TraderTrackingConfiguration
    let clock: any WallClock
    let logger: Logger

    /// Creates a tracker.
    /// - Parameters:
    ///   - info: A client of the venue whose transport waits in the `.background` lane of the
    ///     limiter live trading uses (`TraderTracker.infoClient` builds one).
    public init(book: TraderBook, recorder: Recorder, info: HyperliquidInfoClient, configuration: TraderTrackingConfiguration,
                clock: any WallClock = SystemClock(), logger: Logger) {
        self.book = book
        self.recorder = recorder
        self.info = info
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// An info client for the tracker: the shared limiter, the background lane with the reserve.
    public static func infoClient(http: HTTPClient, endpoint: HyperliquidEndpoint, limiter: RequestWeightLimiter,
                                  configuration: TraderTrackingConfiguration) -> HyperliquidInfoClient {
        var transport = HyperliquidTransportConfiguration(retryPolicy: .init(maximumAttempts: 2))
        transport.lane = .background(reserve: configuration.weightReserve)
        return HyperliquidInfoClient(http: http, endpoint: endpoint, limiter: limiter, configuration: transport)
    }

    public func run() async throws {
        book.updateStatus { $0.enabled = true; $0.reason = nil }
        logger.info("trader tracking on", metadata: [
            "coins": "\(configuration.coins.joined(separator: ","))", "discover_seconds": "\(configuration.discoverSeconds)",
            "track_seconds": "\(configuration.trackSeconds)", "weight_reserve": "\(configuration.weightReserve)"])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.discoverForever() }
                group.addTask { await self.trackForever() }
            }
        }
    }

    // MARK: Discovery

    private func discoverForever() async {
        while !Task.isCancelled {
            await discover()
            try? await Task.sleep(for: .seconds(configuration.discoverSeconds))
        }
    }

    /// Reads the recent trades of every configured coin and stores their addresses not known yet.
    /// - Returns: how many traders were added.
    @discardableResult
    func discover() async -> Int {
        var addresses = Set<String>()
        for coin in configuration.coins {
            do {
                for trade in try await info.recentTrades(coin: coin) {
                    for user in trade.users {
                        if let address = try? TraderAddress.parse(user) { addresses.insert(address) }
                    }
                }
            } catch is CancellationError {
                return 0
            } catch {
                logger.warning("trader discovery could not read recent trades", metadata: ["coin": "\(coin)", "error": "\(error)"])
            }
        }
        var added = 0
        let now = clock.now()
        for address in addresses.sorted() {
            do {
                if try book.ledger.addTrader(address: address, source: .discovered, now: now).added { added += 1 }
            } catch {
                logger.error("could not store a discovered trader", metadata: ["address": "\(address)", "error": "\(error)"])
            }
        }
        book.updateStatus { $0.last_discovery_at = now.milliseconds }
        logger.info("trader discovery", metadata: ["coins": "\(configuration.coins.joined(separator: ","))",
                                                   "addresses": "\(addresses.count)", "added": "\(added)"])
        return added
    }

    // MARK: Tracking

    private func trackForever() async {
        let interval = Duration.seconds(configuration.trackSeconds)
        // A restart is a gap: every trader looked at before gets its fills since then first.
        var needsGapFill = Set(((try? book.ledger.traders(active: true)) ?? []).filter { $0.lastTracked != nil }.map(\.id))
        var wantFills: [Int64: TraderRecord] = [:]
        // Traders whose last look failed: a trader the venue stops answering for is logged once
        // when it starts failing and once when it recovers, not at every look.
        var failing = Set<Int64>()
        while !Task.isCancelled {
            let passStart = ContinuousClock.now
            let traders = (try? book.ledger.traders(active: true)) ?? []
            var failures = 0
            let slot = interval / max(1, traders.count)
            for (index, trader) in traders.enumerated() {
                let due = passStart + slot * index
                // Fills (for the metrics) only in the time a look leaves before the next one is due:
                // looks come first, so a tight budget slows the metrics, not the cadence.
                guard await readFills(&wantFills, before: due) else { return }
                if due > ContinuousClock.now { try? await Task.sleep(until: due, clock: .continuous) }
                if Task.isCancelled { return }
                do {
                    if try await track(trader, fillGap: needsGapFill.contains(trader.id) || isStale(trader)) { wantFills[trader.id] = trader }
                    needsGapFill.remove(trader.id)
                    if failing.remove(trader.id) != nil { logger.notice("tracking a trader again", metadata: ["trader.id": "\(trader.id)"]) }
                } catch is CancellationError {
                    return
                } catch {
                    failures += 1
                    if trader.lastTracked != nil { needsGapFill.insert(trader.id) }
                    if failing.insert(trader.id).inserted {
                        logger.warning("could not track a trader (logged once until it is tracked again)",
                                       metadata: ["trader.id": "\(trader.id)", "error": "\(error)"])
                    }
                }
            }
            let passEnd = passStart + interval
            guard await readFills(&wantFills, before: passEnd) else { return }
            if passEnd > ContinuousClock.now { try? await Task.sleep(until: passEnd, clock: .continuous) }
            if Task.isCancelled { return }
            guard !traders.isEmpty else { continue }
            let elapsed = ContinuousClock.now - passStart
            let cadence = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rounded = (cadence * 1000).rounded() / 1000
            book.updateStatus {
                $0.achieved_cadence_seconds = rounded
                $0.last_pass_traders = traders.count
                $0.last_pass_failures = failures
                $0.last_pass_at = clock.now().milliseconds
            }
            let level: Logger.Level = cadence > Double(configuration.trackSeconds) * 1.5 ? .warning : .info
            logger.log(level: level, "trader tracking pass", metadata: [
                "traders": "\(traders.count)", "failures": "\(failures)", "achieved_cadence_seconds": "\(rounded)",
                "asked_cadence_seconds": "\(configuration.trackSeconds)"])
        }
    }

    /// Whether the trader's last look is more than three cadences old (tracked again after a stop,
    /// or the venue unreachable for a while): its fills fill the gap before the next look.
    func isStale(_ trader: TraderRecord) -> Bool {
        guard let last = trader.lastTracked else { return false }
        let cadence = max(Double(configuration.trackSeconds), book.status.achieved_cadence_seconds ?? 0)
        return Double(clock.now().milliseconds - last.milliseconds) > 3 * cadence * 1000
    }

    /// Reads the wanted traders' fills while `deadline` is ahead; returns false when cancelled.
    private func readFills(_ wanted: inout [Int64: TraderRecord], before deadline: ContinuousClock.Instant) async -> Bool {
        while deadline > ContinuousClock.now, let next = wanted.popFirst() {
            do {
                try await refreshFills(of: next.value)
            } catch is CancellationError {
                return false
            } catch {
                logger.warning("could not read a trader's fills", metadata: ["trader.id": "\(next.key)", "error": "\(error)"])
            }
        }
        return !Task.isCancelled
    }

    /// Looks at one trader: fills the gap since its last look when asked, then stores its
    /// positions and the events that changed them; a first look is the baseline (no events) and
    /// asks for the trader's recent fills, for its metrics.
    /// - Returns: whether the trader's fills should be read (`refreshFills`): at its first look and after a change.
    /// - Throws: a venue error or `TraderAnswerError`; nothing is stored for the look then.
    @discardableResult
    func track(_ trader: TraderRecord, fillGap: Bool) async throws -> Bool {
        guard let user = EthereumAddress(hex: trader.address) else {
            try book.ledger.deactivateTrader(trader.id, reason: "\(trader.address) is not an address")
            return false
        }
        let state = try await info.clearinghouseState(user: user)
        let observation = try Self.observation(of: state, traderID: trader.id)
        if trader.lastTracked == nil, observation.accountValue == .zero, observation.positions.isEmpty {
            // An address the venue never saw answers as an empty account: ask what it is.
            let role = try await info.userRole(user: user)
            if role.role == "missing" {
                let reason = "Hyperliquid does not know this address (userRole answered missing); track it again once it has traded."
                try book.ledger.deactivateTrader(trader.id, reason: reason)
                logger.notice("trader deactivated", metadata: ["trader.id": "\(trader.id)", "reason": "\(reason)"])
                return false
            }
        }
        var stored = try book.ledger.traderPositions(of: [trader.id])[trader.id] ?? []
        if fillGap, let since = trader.lastTracked {
            stored = try await replayFills(of: trader, user: user, since: since, stored: stored)
        }
        let events = trader.lastTracked == nil ? [] : TraderPositionChanges.events(
            traderID: trader.id, address: trader.address, before: stored, after: observation.positions, time: observation.time,
            source: .poll)
        try recorder.record { transaction, feed in
            let added = try transaction.insertTraderEvents(events)
            try transaction.recordTraderObservation(observation)
            feed += added.map(Self.draft)
        }
        let cadence = Int64((book.status.achieved_cadence_seconds ?? Double(configuration.trackSeconds)) * 1000)
        var positions: [Symbol: TraderPositions.Position] = [:]
        for position in observation.positions {
            positions[position.symbol] = TraderPositions.Position(symbol: position.symbol, size: position.size,
                                                                  entryPrice: position.entryPrice ?? .zero)
        }
        book.observed(TraderPositions(address: trader.address, accountValue: observation.accountValue, positions: positions,
                                      observedAt: observation.time, cadenceMilliseconds: cadence))
        return trader.lastTracked == nil || !events.isEmpty
    }

    /// Reads the fills of `trader` since the newest one stored (at most the lookback) into its metrics.
    /// - Throws: a venue error or `TraderAnswerError`; nothing is stored then.
    func refreshFills(of trader: TraderRecord) async throws {
        guard let user = EthereumAddress(hex: trader.address), let current = try book.ledger.trader(id: trader.id) else { return }
        let start = current.lastFill.map { $0.adding(milliseconds: 1) }
            ?? clock.now().adding(milliseconds: -configuration.fillsLookbackMilliseconds)
        let fills = try await info.userFillsByTime(user: user, startTime: start)
        try book.ledger.insertTraderFills(trader.id, try fills.map(Self.fill).map(\.fill))
    }

    /// Replays the fills since `since` over the stored positions, storing the events they show
    /// (source `fills`, a repeat is a no-op) and the positions they leave; returns those positions.
    private func replayFills(of trader: TraderRecord, user: EthereumAddress, since: Timestamp, stored: [TraderPositionRecord])
        async throws -> [TraderPositionRecord] {
        let fills = try await info.userFillsByTime(user: user, startTime: since.adding(milliseconds: 1)).map(Self.fill)
        guard !fills.isEmpty else { return stored }
        let (events, touched) = TraderPositionChanges.replay(fills: fills, over: stored, traderID: trader.id, address: trader.address)
        try recorder.record { transaction, feed in
            let added = try transaction.insertTraderEvents(events)
            try transaction.setTraderPositions(trader.id, touched, complete: false)
            try transaction.insertTraderFills(trader.id, fills.map(\.fill))
            feed += added.map(Self.draft)
        }
        logger.info("trader gap filled from fills", metadata: ["trader.id": "\(trader.id)", "fills": "\(fills.count)",
                                                               "events": "\(events.count)"])
        var merged = Dictionary(stored.map { ($0.symbol, $0) }, uniquingKeysWith: { _, last in last })
        for position in touched { merged[position.symbol] = position }
        return merged.values.filter { $0.size != .zero }.sorted { $0.symbol < $1.symbol }
    }

    static func draft(_ event: TraderEventRecord) -> FeedDraft {
        FeedDraft(.traderEvent, symbol: event.symbol, time: event.time, data: TraderEventView(event))
    }

    /// The venue's account state as positions and values, every field checked.
    /// - Throws: `TraderAnswerError` naming the first field that is not what it should be.
    static func observation(of state: ClearinghouseState, traderID: Int64) throws -> TraderObservation {
        guard let value = FixedDecimal(state.marginSummary.accountValue) else {
            throw TraderAnswerError(description: "clearinghouseState's accountValue is not a decimal")
        }
        guard let margin = FixedDecimal(state.marginSummary.totalMarginUsed) else {
            throw TraderAnswerError(description: "clearinghouseState's totalMarginUsed is not a decimal")
        }
        guard state.time > 0 else { throw TraderAnswerError(description: "clearinghouseState's time is not a time") }
        var positions: [TraderPositionRecord] = []
        for entry in state.assetPositions {
            let wire = entry.position
            guard let symbol = Symbol(wire.coin) else { throw TraderAnswerError(description: "a position's coin \(wire.coin.prefix(20)) is not a coin name") }
            guard let size = FixedDecimal(wire.szi) else { throw TraderAnswerError(description: "the \(symbol) position's szi is not a decimal") }
            var entryPrice: FixedDecimal?
            if let text = wire.entryPx {
                guard let parsed = FixedDecimal(text) else { throw TraderAnswerError(description: "the \(symbol) position's entryPx is not a decimal") }
                entryPrice = parsed
            }
            guard size != .zero else { continue }
            positions.append(TraderPositionRecord(symbol: symbol, size: size, entryPrice: entryPrice))
        }
        return TraderObservation(traderID: traderID, time: Timestamp(milliseconds: state.time), accountValue: value, marginUsed: margin,
                                 positions: positions)
    }

    /// One fill of `userFillsByTime`, every field checked.
    /// - Throws: `TraderAnswerError` naming the field.
    static func fill(_ wire: UserFillWire) throws -> TraderPositionChanges.UserFill {
        guard let symbol = Symbol(wire.coin) else { throw TraderAnswerError(description: "a fill's coin \(wire.coin.prefix(20)) is not a coin name") }
        guard wire.side == "B" || wire.side == "A" else { throw TraderAnswerError(description: "a fill's side is \(wire.side.prefix(5)), not B or A") }
        guard let price = FixedDecimal(wire.px), let size = FixedDecimal(wire.sz), size > .zero, price > .zero,
              let pnl = FixedDecimal(wire.closedPnl), let fee = FixedDecimal(wire.fee) else {
            throw TraderAnswerError(description: "fill \(wire.tid) has a price, size, closedPnl or fee that is not a decimal")
        }
        var start: FixedDecimal?
        if let text = wire.startPosition {
            guard let parsed = FixedDecimal(text) else { throw TraderAnswerError(description: "fill \(wire.tid)'s startPosition is not a decimal") }
            start = parsed
        }
        return TraderPositionChanges.UserFill(
            fill: TraderFillRecord(tradeID: wire.tid, symbol: symbol, isBuy: wire.side == "B", price: price, size: size, closedPnl: pnl,
                                   fee: fee, time: Timestamp(milliseconds: wire.time)),
            startPosition: start)
    }
}
