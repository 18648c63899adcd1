@testable import Arena
import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import Hyperliquid
import Logging
import Storage
import Testing

/// A tracker over a ledger, against the fake venue, as `arena serve` builds it; a new harness
/// over the same ledger is a restart.
struct TrackerHarness {
    let ledger: LedgerStore
    let recorder: Recorder
    let book: TraderBook
    let tracker: TraderTracker

    init(_ fake: FakeExchange, ledger: LedgerStore, limiter: RequestWeightLimiter = RequestWeightLimiter(),
         configuration: TraderTrackingConfiguration = TraderTrackingConfiguration(coins: ["BTC", "ETH"], trackSeconds: 1)) throws {
        self.ledger = ledger
        recorder = try Recorder(ledger: ledger)
        book = TraderBook(ledger: ledger, status: configuration.status(enabled: true))
        let info = TraderTracker.infoClient(http: fake.http, endpoint: try fake.endpoint(), limiter: limiter, configuration: configuration)
        tracker = TraderTracker(book: book, recorder: recorder, info: info, configuration: configuration, logger: Logger(label: "trader-test"))
    }

    func record(_ address: String) throws -> TraderRecord {
        try #require(try ledger.trader(address: address))
    }

    /// Looks at the trader once, as a tracking pass would.
    func look(_ address: String, fillGap: Bool = false) async throws {
        try await tracker.track(try record(address), fillGap: fillGap)
    }

    func events(_ address: String) throws -> [TraderEventRecord] {
        try ledger.traderEvents(of: try record(address).id, limit: 100).reversed()
    }

    /// The `trader_event` messages of the feed, as stored.
    func feedEvents() throws -> [[String: Any]] {
        try ledger.events(after: 0, limit: 10_000).filter { $0.topic == .traderEvent }.compactMap {
            try JSONSerialization.jsonObject(with: Data($0.json.utf8)) as? [String: Any]
        }
    }
}

/// A fresh address per call: tests share one fake venue.
func traderAddress() -> String {
    "0x" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
}

@Suite("tracking real traders", .serialized)
struct TraderTrackingTests {
    static let venue = SharedFakeExchange()

    @Test("discovery stores every buyer and seller of the coins' recent trades once, as discovered")
    func discovery() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        let harness = try TrackerHarness(fake, ledger: test.ledger)
        let (a, b, c) = (traderAddress(), traderAddress(), traderAddress())
        try await fake.addTrades([("BTC", a, b), ("ETH", b, c.uppercased().replacingOccurrences(of: "0X", with: "0x"))])
        let added = await harness.tracker.discover()
        #expect(added >= 3)
        let stored = try test.ledger.traders()
        for address in [a, b, c] {
            let trader = stored.first { $0.address == address }
            #expect(trader?.source == .discovered && trader?.active == true, "\(address) not discovered")
        }
        #expect(await harness.tracker.discover() == 0)
        #expect(try test.ledger.traders().count == stored.count)
    }

    @Test("each position change is stored and published as OPEN, INCREASE, DECREASE, FLIP and CLOSE")
    func everyEventKind() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        let harness = try TrackerHarness(fake, ledger: test.ledger)
        let address = traderAddress()
        try await fake.setTrader(address, accountValue: "5000")
        _ = try harness.book.track(address, source: .operator)
        try await harness.look(address)
        #expect(try harness.events(address).isEmpty, "a first look is the baseline")
        let steps: [(String, String)] = [("0.5", "65000"), ("0.8", "65500"), ("0.3", "65500"), ("-0.4", "64000"), ("0", "64000")]
        for (size, entry) in steps {
            try await fake.setTrader(address, accountValue: "5000", positions: size == "0" ? [:] : ["BTC": (size, entry)])
            try await harness.look(address)
        }
        let events = try harness.events(address)
        #expect(events.map(\.kind) == [.open, .increase, .decrease, .flip, .close])
        #expect(events.map { $0.isLong } == [true, true, true, false, false])
        #expect(events.map(\.size.description) == ["0.5", "0.8", "0.3", "0.4", "0"])
        #expect(events.map(\.previousSize.description) == ["0", "0.5", "0.8", "0.3", "-0.4"])
        #expect(events.allSatisfy { $0.source == .poll && $0.symbol.name == "BTC" })
        #expect(events.first?.entryPrice?.description == "65000")
        let published = try harness.feedEvents().filter { ($0["data"] as? [String: Any])?["address"] as? String == address }
        #expect(published.compactMap { ($0["data"] as? [String: Any])?["kind"] as? String } == ["OPEN", "INCREASE", "DECREASE", "FLIP", "CLOSE"])
        let positions = await harness.book.latestPositions(of: address)
        #expect(positions?.positions.isEmpty == true && positions?.accountValue.description == "5000")
        #expect(try harness.ledger.traderPositions(of: [harness.record(address).id]).isEmpty)
    }

    @Test("after downtime the fills since the last look fill the gap, and a restart repeats no event")
    func gapFillAndRestart() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        let address = traderAddress()
        try await fake.setTrader(address, accountValue: "20000")
        let first = try TrackerHarness(fake, ledger: test.ledger)
        _ = try first.book.track(address, source: .operator)
        try await first.look(address)
        let lastLook = try #require(try first.record(address).lastTracked).milliseconds
        try await Task.sleep(for: .milliseconds(30))
        // While the arena is down, the trader opens BTC long in two fills and ETH short.
        try await fake.addFills(address, [
            ["coin": "BTC", "side": "B", "px": "65000", "sz": "0.2", "time": lastLook + 5, "startPosition": "0.0", "closedPnl": "0.0"],
            ["coin": "BTC", "side": "B", "px": "66000", "sz": "0.2", "time": lastLook + 10, "startPosition": "0.2", "closedPnl": "0.0"],
            ["coin": "ETH", "side": "A", "px": "3000", "sz": "1.5", "time": lastLook + 15, "startPosition": "0.0", "closedPnl": "0.0"],
        ])
        try await fake.setTrader(address, accountValue: "20000", positions: ["BTC": ("0.4", "65500"), "ETH": ("-1.5", "3000")])
        let restarted = try TrackerHarness(fake, ledger: test.ledger)
        try await restarted.look(address, fillGap: true)
        let events = try restarted.events(address)
        #expect(events.map(\.kind) == [.open, .increase, .open])
        #expect(events.allSatisfy { $0.source == .fills })
        #expect(events.map(\.time.milliseconds) == [lastLook + 5, lastLook + 10, lastLook + 15])
        #expect(events[1].entryPrice?.description == "65500")
        #expect(events[2].isLong == false && events[2].size.description == "1.5")
        // A crash between the gap fill and the look: the same fills again change nothing.
        var stale = try restarted.record(address)
        stale.lastTracked = Timestamp(milliseconds: lastLook)
        let again = try TrackerHarness(fake, ledger: test.ledger)
        try await again.tracker.track(stale, fillGap: true)
        try await again.look(address, fillGap: true)
        #expect(try again.events(address).count == 3)
        let published = try again.feedEvents().filter { ($0["data"] as? [String: Any])?["address"] as? String == address }
        #expect(published.count == 3)
        let trader = try again.record(address)
        #expect(trader.totalVolume.description == "30700")
    }

    @Test("an address the venue does not know is deactivated with the reason")
    func unknownAddress() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        let harness = try TrackerHarness(fake, ledger: test.ledger)
        let address = traderAddress()
        _ = try harness.book.track(address, source: .operator)
        try await harness.look(address)
        let trader = try harness.record(address)
        #expect(trader.active == false)
        #expect(trader.deactivatedReason?.contains("userRole answered missing") == true)
        #expect(try test.ledger.traders(active: true).allSatisfy { $0.address != address })
    }

    @Test("metrics come from the looks and the fills: volume, win rate, best and worst fill, drawdown, risk ratio")
    func metrics() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        let harness = try TrackerHarness(fake, ledger: test.ledger)
        let address = traderAddress()
        let day: Int64 = 86_400_000
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await fake.addFills(address, [
            ["coin": "BTC", "side": "B", "px": "60000", "sz": "0.1", "time": now - 10 * day, "startPosition": "0.0", "closedPnl": "0.0"],
            ["coin": "BTC", "side": "A", "px": "62000", "sz": "0.05", "time": now - 9 * day, "startPosition": "0.1", "closedPnl": "100"],
            ["coin": "BTC", "side": "A", "px": "59000", "sz": "0.05", "time": now - 8 * day, "startPosition": "0.05", "closedPnl": "-50"],
        ])
        try await fake.setTrader(address, accountValue: "1000", positions: ["SOL": ("10", "150")])
        _ = try harness.book.track(address, source: .operator)
        #expect(try await harness.tracker.track(try harness.record(address), fillGap: false), "a first look asks for the fills")
        try await harness.tracker.refreshFills(of: try harness.record(address))
        try await fake.setTrader(address, accountValue: "800", positions: ["SOL": ("20", "150")])
        #expect(try await harness.tracker.track(try harness.record(address), fillGap: false), "a change asks for the fills")
        try await harness.tracker.refreshFills(of: try harness.record(address))
        let view = try #require(try harness.book.trader(id: harness.record(address).id))
        #expect(view.metrics.total_volume == "12050")
        #expect(view.metrics.win_rate == 0.5)
        #expect(view.metrics.max_profit == "100" && view.metrics.max_loss == "-50")
        #expect(view.metrics.account_age_days == 10)
        #expect(view.metrics.max_drawdown == 0.2)
        // SOL at 150 with 20x leverage: 10 × 150 / 20 = 75 of 1000, then 150 of 800.
        #expect(view.metrics.average_risk_ratio == LeaderboardEntry.statistic((0.075 + 0.1875) / 2))
        #expect(view.positions.map(\.symbol) == ["SOL"] && view.positions.first?.size == "20")
    }

    @Test("a live account's orders never wait while the tracker spends the shared budget, and the venue refuses nothing")
    func budgetSharing() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        // A venue allowing 300 weight a minute; the arena's limiter knows it; the tracker leaves 60 to trading.
        try await fake.setWeightLimit(300)
        let limiter = RequestWeightLimiter(capacity: 300, refillPerMinute: 300)
        let configuration = TraderTrackingConfiguration(coins: ["BTC"], discoverSeconds: 3_600, trackSeconds: 1, weightReserve: 60)
        let harness = try TrackerHarness(fake, ledger: test.ledger, limiter: limiter, configuration: configuration)
        for _ in 0..<100 {
            let address = traderAddress()
            try await fake.setTrader(address, accountValue: "1000", positions: ["BTC": ("0.1", "65000")])
            _ = try harness.book.track(address, source: .operator)
        }
        let signer = try testSigner(0x5A)
        try await fake.addUser(signer.address, balance: "100000")
        let exchange = HyperliquidExchangeClient(http: fake.http, endpoint: try fake.endpoint(), signer: signer, nonces: NonceSource(),
                                                 limiter: limiter, configuration: quickTransport())
        let looksBefore = try await fake.infoRequests()["clearinghouseState"] ?? 0
        let tracking = Task { try await harness.tracker.run() }
        try await Task.sleep(for: .seconds(2))
        var ordersThatFoundDebt = 0
        for _ in 0..<15 {
            if limiter.available < 1 { ordersThatFoundDebt += 1 }
            let placements = try await exchange.placeOrders([crossingBuy(nil)])
            #expect(placements.count == 1)
            try await Task.sleep(for: .milliseconds(200))
        }
        tracking.cancel()
        _ = try? await tracking.value
        let state = try await fake.control()
        try await fake.setWeightLimit(nil)
        let looks = (try await fake.infoRequests()["clearinghouseState"] ?? 0) - looksBefore
        #expect(ordersThatFoundDebt == 0, "live orders found the budget in debt")
        #expect(looks >= 50, "the tracker looked at only \(looks) traders")
        #expect(state["rate_limited"] as? Int == 0, "the venue refused \(state["rate_limited"] ?? "?") requests")
        #expect(limiter.available >= 0)
    }

    @Test("following an address starts tracking it (source copy); its positions are readable after the first look")
    func follow() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        let harness = try TrackerHarness(fake, ledger: test.ledger)
        let address = traderAddress()
        try await fake.setTrader(address, accountValue: "2500", positions: ["ETH": ("-2", "3000")])
        try await harness.book.follow(address.uppercased().replacingOccurrences(of: "0X", with: "0x"))
        #expect(try harness.record(address).source == .copy)
        #expect(await harness.book.latestPositions(of: address) == nil, "not observed yet")
        try await harness.look(address)
        let eth = try #require(Symbol("ETH"))
        let positions = try #require(await harness.book.latestPositions(of: address))
        #expect(positions.positions[eth]?.size.description == "-2" && positions.accountValue.description == "2500")
        // After a restart the book answers from the ledger.
        let restarted = TraderBook(ledger: test.ledger, status: TraderTrackingConfiguration().status(enabled: false))
        #expect(await restarted.latestPositions(of: address)?.positions[eth]?.entryPrice.description == "3000")
        await #expect(throws: ArenaError.self) { try await harness.book.follow("0x1234") }
        try await harness.book.follow(address)
        #expect(try test.ledger.traders().filter { $0.address == address }.count == 1)
        // An operator's stop outlasts the copier: following does not track the trader again.
        _ = try harness.book.stopTracking(address, reason: "stopped by an operator")
        do {
            try await harness.book.follow(address)
            Issue.record("following a stopped trader tracked it again")
        } catch {
            #expect("\(error)".contains("stopped by an operator") && "\(error)".contains("/track"), "\(error)")
        }
        #expect(try harness.record(address).active == false)
    }

    @Test("a trader looked at more than three cadences ago (tracked again after a stop) gets its gap filled first")
    func staleTraders() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        let harness = try TrackerHarness(fake, ledger: test.ledger)
        let address = traderAddress()
        try await fake.setTrader(address, accountValue: "100")
        _ = try harness.book.track(address, source: .operator)
        #expect(harness.tracker.isStale(try harness.record(address)) == false, "never looked at: nothing to fill")
        try await harness.look(address)
        var trader = try harness.record(address)
        #expect(harness.tracker.isStale(trader) == false)
        trader.lastTracked = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000) - 10_000)
        #expect(harness.tracker.isStale(trader), "10 s ago with a cadence of 1 s")
    }

    @Test("a tape whose trade does not name buyer and seller is refused whole, and nothing is added from it")
    func malformedTape() async throws {
        let fake = try await Self.venue.fake
        let test = try TestLedger()
        let harness = try TrackerHarness(fake, ledger: test.ledger, configuration: TraderTrackingConfiguration(coins: ["SOL"], trackSeconds: 1))
        try await fake.control(["add_trades": [["coin": "SOL", "users": [traderAddress()]], ["coin": "SOL", "users": [traderAddress(), traderAddress()]]]])
        #expect(await harness.tracker.discover() == 0)
        #expect(try test.ledger.traders().isEmpty)
        let info = HyperliquidInfoClient(http: fake.http, endpoint: try fake.endpoint(), limiter: RequestWeightLimiter())
        await #expect(throws: HyperliquidClientError.self) { try await info.recentTrades(coin: "SOL") }
    }
}
