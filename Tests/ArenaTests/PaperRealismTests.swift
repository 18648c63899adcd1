import ArenaCore
import ArenaTestSupport
import ArenaTestSupportCore
import ArenaTestSupportLedger
import Foundation
import Logging
import Market
import PaperExchange
import Storage
import Testing
@testable import Arena

/// Paper realism per account (issue 18): a `noisy` account's venue adds the seed-003 profile
/// (50-200 ms of market-time latency, 2% random rejections with the venue's reasons, partial fills
/// of 10% of the orders over $10,000 filling 50-90%, 0.01-0.1% size-based slippage, orders over
/// $100,000 refused), seeded by the arena's seed and the account's id; a `venue` account none.
/// Real runners, a real SQLite ledger and the paper executor, as `arena serve` builds them.
@Suite("Paper realism per account")
struct PaperRealismTests {
    let btc = Symbol("BTC")!
    static let start: Int64 = 1_700_000_000_000

    func runtime(_ test: TestLedger, seed: UInt64) throws -> ArenaRuntime {
        try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 1, start: Timestamp(milliseconds: Self.start)),
                         configuration: ArenaConfiguration(seed: seed), logger: Logger(label: "realism"),
                         drivers: DriverEnvironment(llm: nil, localModel: nil, variables: [:]), liveVenue: nil)
    }

    func market(at time: Int64) -> MarketSnapshot {
        TestMarkets.snapshot(btc, mid: 100_000, at: Self.start + time, size: 5, levels: 20)
    }

    /// One order's outcome as the ledger stored it.
    struct Outcome: Hashable {
        var side: Side
        var size: FixedDecimal
        var status: OrderStatus
        var reason: String?
        var filled: FixedDecimal
        var price: FixedDecimal?
    }

    /// Creates an account with `realism` and sends it 150 market orders of $5,000 to $120,000,
    /// one per market step a second apart; returns what became of each, oldest first.
    func trade(realism: PaperRealism?, seed: UInt64 = 9) async throws -> (outcomes: [Outcome], record: AccountRecord) {
        let test = try TestLedger()
        let arena = try runtime(test, seed: seed)
        let record = try arena.accounts.create(Roster.Entry(
            name: "trader", driver: DriverSettings(kind: .buyAndHold, symbol: btc), symbols: [btc], initial_capital: 10_000_000,
            risk_limits: nil, mode: nil, realism: realism), network: nil, secrets: [:])
        let runner = try #require(arena.runner(record.id))
        let sizes: [FixedDecimal] = [FixedDecimal(5, exponent: 2), FixedDecimal(15, exponent: 2), FixedDecimal(5, exponent: 1), FixedDecimal(12, exponent: 1)]
        _ = await runner.apply(market(at: 0))
        for index in 0..<150 {
            let side: Side = index % 2 == 0 ? .buy : .sell
            _ = await runner.submitOperatorOrder(GatedOrder(symbol: btc, side: side, size: sizes[index % sizes.count], reduceOnly: false, leverage: 10))
            _ = await runner.apply(market(at: Int64(index + 1) * 1_000))
        }
        let orders = try test.ledger.recentOrders(of: record.id, limit: 500).map(\.order).sorted { $0.submittedAt < $1.submittedAt }
        #expect(orders.count == 150)
        let outcomes = orders.map { Outcome(side: $0.request.side, size: $0.request.size, status: $0.status, reason: $0.rejectionReason,
                                            filled: $0.filledSize, price: $0.averageFillPrice) }
        return (outcomes, try #require(try test.ledger.account(record.id)))
    }

    @Test("a noisy account refuses with the venue's reasons, fills large orders in part and slips with size; the same seed repeats it")
    func noisyAccount() async throws {
        let (noisy, record) = try await trade(realism: .noisy)
        #expect(record.paperRealism == "noisy")
        let (venue, _) = try await trade(realism: nil)

        let liquidity = noisy.filter { $0.reason == RejectionReason.exceedsLiquidity }
        #expect(liquidity.count == noisy.filter { $0.size == FixedDecimal(12, exponent: 1) }.count, "every order over $100,000 is refused")
        let random = noisy.filter { $0.status == .rejected && $0.reason != RejectionReason.exceedsLiquidity }
        #expect(!random.isEmpty, "2% of orders are refused at random")
        #expect(random.allSatisfy { RealismProfile.defaultRejectionReasons.contains($0.reason ?? "") })
        let partial = noisy.filter { $0.filled.isPositive && $0.filled < $0.size }
        #expect(!partial.isEmpty, "10% of the orders over $10,000 fill in part")
        for order in partial {
            #expect(order.size * FixedDecimal(100_000) >= FixedDecimal(10_000), "only large orders fill in part")
            let share = order.filled / order.size
            #expect(share >= FixedDecimal(5, exponent: 1) && share <= FixedDecimal(9, exponent: 1), "a partial fill fills 50-90%")
        }
        // Slippage: the same order on the same book fills worse by 0.01% to 0.1% of the price, more for larger orders.
        var slips: [FixedDecimal: FixedDecimal] = [:]
        for (noisyOrder, venueOrder) in zip(noisy, venue) {
            guard let slipped = noisyOrder.price, let faithful = venueOrder.price else { continue }
            let adverse = (noisyOrder.side == .buy ? slipped - faithful : faithful - slipped) / faithful
            #expect(adverse >= FixedDecimal(9, exponent: 5) && adverse <= FixedDecimal(11, exponent: 4), "slippage \(adverse)")
            slips[noisyOrder.size] = adverse
        }
        let small = try #require(slips[FixedDecimal(5, exponent: 2)])
        let large = try #require(slips[FixedDecimal(5, exponent: 1)])
        #expect(small < large, "slippage grows with the order's size")

        let (again, _) = try await trade(realism: .noisy)
        #expect(again == noisy, "the same arena seed and account name draw the same noise")
        let (otherSeed, _) = try await trade(realism: .noisy, seed: 8)
        #expect(otherSeed != noisy, "another arena seed draws other noise")
    }

    @Test("a venue account has no random rejections, no partial fills and fills at the book")
    func venueAccount() async throws {
        let (venue, record) = try await trade(realism: nil)
        #expect(record.paperRealism == "venue")
        #expect(venue.allSatisfy { $0.status == .filled && $0.filled == $0.size && $0.reason == nil })
        // The book's best levels are a dollar from the mid: nothing beyond them.
        #expect(venue.allSatisfy { order in order.price.map { ($0 - FixedDecimal(100_000)).magnitude <= FixedDecimal(1) } ?? false })
    }

    @Test("a noisy order waits its latency in market time: it matches at the next step, never by sleeping")
    func latencyInMarketTime() async throws {
        let test = try TestLedger()
        let arena = try runtime(test, seed: 7)
        let record = try arena.accounts.create(Roster.Entry(
            name: "slow", driver: DriverSettings(kind: .buyAndHold, symbol: btc), symbols: [btc], initial_capital: 100_000,
            risk_limits: nil, mode: nil, realism: .noisy), network: nil, secrets: [:])
        let runner = try #require(arena.runner(record.id))
        _ = await runner.apply(market(at: 0))
        // Latency is market time, never wall-clock time: the submission returns the order in flight,
        // and only market steps (not a sleep, whose length a loaded machine would blur) match it.
        let events = await runner.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(1, exponent: 2), reduceOnly: false, leverage: 5))
        #expect(events.contains { if case .orderUpdated(let order) = $0 { order.status == .pending } else { false } })
        #expect(!events.contains { if case .filled = $0 { true } else { false } })
        // 40 ms later the order is still in flight (the profile's latency is 50-200 ms); 250 ms later it has matched.
        _ = await runner.apply(market(at: 40))
        #expect(await runner.openOrdersNow().count == 1)
        _ = await runner.apply(market(at: 250))
        #expect(await runner.openOrdersNow().isEmpty)
        let matched = try #require(try test.ledger.recentOrders(of: record.id, limit: 5).first?.order)
        #expect(matched.filledSize == matched.request.size || matched.rejectionReason.map(RealismProfile.defaultRejectionReasons.contains) == true,
                "\(matched)")
    }

    @Test("a roster sets the realism of new and existing accounts, and a misspelt one is refused with the names allowed")
    func roster() throws {
        let folder = try TemporaryFolder(prefix: "realism-roster")
        func write(_ realism: String) throws -> String {
            let path = folder.path("roster-\(realism).json")
            try Data(#"{"accounts": [{"name": "r", "driver": {"kind": "buy_and_hold", "symbol": "BTC"}, "symbols": ["BTC"], "initial_capital": "1000", "realism": "\#(realism)"}]}"#.utf8)
                .write(to: URL(fileURLWithPath: path))
            return path
        }
        let test = try TestLedger()
        let arena = try runtime(test, seed: 7)
        try arena.apply(try Roster.load(path: try write("noisy")), environment: [:])
        #expect(try test.ledger.account(named: "r")?.paperRealism == "noisy")
        try arena.apply(try Roster.load(path: try write("venue")), environment: [:])
        #expect(try test.ledger.account(named: "r")?.paperRealism == "venue")
        do {
            _ = try Roster.load(path: try write("chaos"))
            Issue.record("a misspelt realism was accepted")
        } catch let error as ArenaError {
            #expect("\(error)".contains("[0].realism: "), "\(error)")
            #expect("\(error)".contains("realism must be venue (faithful to Hyperliquid) or noisy"), "\(error)")
        }
    }

    @Test("switching an account's realism at run time applies from its next order, is stored, and survives a restart")
    func switchAtRunTime() async throws {
        let test = try TestLedger()
        let arena = try runtime(test, seed: 7)
        let record = try arena.accounts.create(Roster.Entry(
            name: "switch", driver: DriverSettings(kind: .buyAndHold, symbol: btc), symbols: [btc], initial_capital: 1_000_000,
            risk_limits: nil, mode: nil), network: nil, secrets: [:])
        let runner = try #require(arena.runner(record.id))
        func lastReason() throws -> String? {
            try test.ledger.recentOrders(of: record.id, limit: 1).first?.order.rejectionReason
        }
        _ = await runner.apply(market(at: 0))
        _ = await runner.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: FixedDecimal(1, exponent: 1), reduceOnly: false, leverage: 5))
        #expect(await runner.openOrdersNow().isEmpty, "a venue order fills at once")
        let positionBefore = await runner.accountState().positions[btc]

        let updated = try await arena.accounts.update(record.id, AccountService.Changes(realism: .noisy))
        #expect(updated.paperRealism == "noisy")
        #expect(await runner.accountState().positions[btc] == positionBefore, "the position is kept")
        #expect(arena.leaderboard.entry(record.id)?.realism == "noisy")
        // $200,000 is beyond the noisy profile's liquidity: refused once its latency has passed.
        let refused = await runner.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: 2, reduceOnly: false, leverage: 5))
        #expect(refused.contains { if case .orderUpdated(let order) = $0 { order.status == .pending } else { false } })
        _ = await runner.apply(market(at: 1_000))
        #expect(try lastReason() == RejectionReason.exceedsLiquidity)

        let restarted = try runtime(test, seed: 7)
        let after = try #require(restarted.runner(record.id))
        _ = await after.apply(market(at: 2_000))
        _ = await after.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: 2, reduceOnly: false, leverage: 5))
        _ = await after.apply(market(at: 3_000))
        #expect(try lastReason() == RejectionReason.exceedsLiquidity, "the restarted venue is noisy too")

        // A change of limits and realism together is one stored change.
        _ = try await restarted.accounts.update(record.id, AccountService.Changes(riskLimits: RiskLimits(max_leverage: 4), realism: .venue))
        #expect(try AccountService.limits(of: try #require(try test.ledger.account(record.id))).max_leverage == 4)
        let filled = await after.submitOperatorOrder(GatedOrder(symbol: btc, side: .buy, size: 2, reduceOnly: false, leverage: 3))
        #expect(filled.contains { if case .filled = $0 { true } else { false } }, "back on the faithful venue")
        #expect(try test.ledger.account(record.id)?.paperRealism == "venue")
    }
}
