import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportDrivers
import ArenaTestSupportLedger
import Drivers
import Foundation
import GRDB
import Logging
import Market
import PaperExchange
import Storage
import Testing
@testable import Arena

@Suite("Account runner")
struct AccountRunnerTests {
    let btc = Symbol("BTC")!

    func makeRunner(_ test: TestLedger, decision: Decision, capital: FixedDecimal = 1_000, keepsFeed: Bool = true,
                    leaderboard: Leaderboard = Leaderboard()) throws -> (AccountRunner, AccountRecord, Recorder) {
        let record = try test.ledger.createAccount(NewAccount(name: "scripted", driverKind: "scripted", symbols: [btc], initialCapital: capital),
                                                   now: Timestamp(milliseconds: 0))
        let recorder = try Recorder(ledger: test.ledger, keepsFeed: keepsFeed)
        let executor = PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash, positions: [], seed: 1)
        let runner = AccountRunner(record: record, driver: ScriptedDriver(decision: decision), executor: executor,
                                   limits: RiskLimits(max_leverage: 10), intervalMilliseconds: 1000, recorder: recorder,
                                   leaderboard: leaderboard, instruments: Instrument.defaults,
                                   logger: Logger(label: "test"))
        return (runner, record, recorder)
    }

    func marketSnapshot() throws -> MarketSnapshot {
        var market = try SimulatedMarket(seed: 3, start: Timestamp(milliseconds: 1_700_000_000_000))
        return try #require(try market.next())
    }

    @Test("an order refused for margin is stored with its reason and leaves the balance untouched")
    func marginRefusal() async throws {
        let test = try TestLedger()
        let tooBig = Decision(instructions: [SymbolDecision(symbol: btc, action: .openLong, size: .usd(1_000_000), leverage: 1,
                                                            justification: "all in")])
        let (runner, record, _) = try makeRunner(test, decision: tooBig)
        await runner.apply(try marketSnapshot())
        await runner.decide()

        let orders = try test.ledger.recentOrders(of: record.id, limit: 10)
        #expect(orders.count == 1)
        let order = try #require(orders.first)
        #expect(order.order.status == .rejected)
        #expect(order.order.rejectionReason == "Insufficient margin to place order")
        #expect(order.decisionID != nil)
        let stored = try #require(try test.ledger.account(record.id))
        #expect(stored.cash == record.cash)
        #expect(stored.totals == LedgerTotals())
        #expect(try test.ledger.positions(of: record.id).isEmpty)
        #expect(try test.ledger.count("fills") == 0)
        let state = await runner.accountState()
        #expect(state.cash == record.cash)
    }

    @Test("a filled order updates cash, position, totals and the feed in one step")
    func filledOrder() async throws {
        let test = try TestLedger()
        let buy = Decision(instructions: [SymbolDecision(symbol: btc, action: .openLong, size: .usd(500), leverage: 2, justification: "up")])
        let (runner, record, _) = try makeRunner(test, decision: buy)
        await runner.apply(try marketSnapshot())
        await runner.decide()

        let order = try #require(try test.ledger.recentOrders(of: record.id, limit: 10).first)
        #expect(order.order.status == .filled)
        #expect(order.order.averageFillPrice != nil)
        let stored = try #require(try test.ledger.account(record.id))
        #expect(stored.totals.fillCount >= 1)
        #expect(stored.totals.feesPaid.isPositive)
        #expect(stored.cash == record.cash - stored.totals.feesPaid)
        let position = try #require(try test.ledger.positions(of: record.id).first)
        #expect(position.size.isPositive)
        #expect(position.leverage == 2)
        let topics = try test.ledger.events(after: 0, limit: 100).map(\.topic.rawValue)
        #expect(topics.contains("decision") && topics.contains("order") && topics.contains("fill"))
    }

    @Test("without a feed (a season's), a fill is stored whole and only alerts reach the events table and get a seq")
    func withoutFeed() async throws {
        let test = try TestLedger()
        let buy = Decision(instructions: [SymbolDecision(symbol: btc, action: .openLong, size: .usd(500), leverage: 2, justification: "up")])
        let (runner, record, recorder) = try makeRunner(test, decision: buy, keepsFeed: false)
        await runner.apply(try marketSnapshot())
        await runner.decide()

        #expect(try test.ledger.recentOrders(of: record.id, limit: 10).first?.order.status == .filled)
        #expect(try test.ledger.count("fills") == 1)
        #expect(try test.ledger.count("decisions") == 1)
        #expect(try test.ledger.events(after: 0, limit: 100).isEmpty)
        let time = Timestamp(milliseconds: 1)
        try recorder.record([FeedDraft(.alert, accountID: record.id, time: time, data: AlertView(kind: "test", message: "kept")),
                             FeedDraft(.price, time: time, data: AlertView(kind: "test", message: "dropped"))])
        let events = try test.ledger.events(after: 0, limit: 100)
        #expect(events.map(\.topic) == [.alert])
        #expect(events.first?.json.contains("kept") == true)
        #expect(recorder.bus.lastSeq == events.first?.seq)
    }

    @Test("without leaderboard lines (a season's), a runner publishes no line but still ranks among its rivals")
    func withoutLeaderboardLines() async throws {
        let buy = Decision(instructions: [SymbolDecision(symbol: btc, action: .openLong, size: .usd(500), leverage: 2, justification: "up")])
        for keepsLines in [true, false] {
            let test = try TestLedger()
            let leaderboard = Leaderboard(keepsLines: keepsLines)
            let (runner, record, _) = try makeRunner(test, decision: buy, leaderboard: leaderboard)
            await runner.apply(try marketSnapshot())
            await runner.decide()
            #expect(try test.ledger.count("fills") == 1)
            #expect((leaderboard.entry(record.id) != nil) == keepsLines, "line kept: \(keepsLines)")
            #expect(leaderboard.ranked().count == (keepsLines ? 1 : 0))
            #expect(leaderboard.rivals.table().ranking(for: record.id)?.rank == 1, "rivals kept: \(keepsLines)")
        }
    }

    @Test("a decision the gate refuses trades nothing and is stored as rejected with its reason")
    func gateRefusal() async throws {
        let test = try TestLedger()
        let wrong = Decision(instructions: [SymbolDecision(symbol: Symbol("DOGE")!, action: .openLong, size: .usd(100), leverage: 1,
                                                           justification: "meme")])
        let (runner, record, _) = try makeRunner(test, decision: wrong)
        await runner.apply(try marketSnapshot())
        await runner.decide()
        #expect(try test.ledger.count("orders") == 0)
        let reason = try test.database.read { db in
            try String.fetchOne(db, sql: "SELECT rejection_reason FROM decisions WHERE account_id = ? AND outcome = 'rejected'",
                                arguments: [record.id.rawValue])
        }
        #expect(reason?.contains("not in this account's universe") == true)
    }
}

/// A BTC book of 20 levels a side around `mid`, at `time`.
func btcSnapshot(mid: FixedDecimal, time: Int64) -> MarketSnapshot {
    TestMarkets.snapshot(Symbol("BTC")!, mid: mid, at: time, size: 5, levels: 20)
}

/// A BTC account of 1,000 USD on the paper exchange whose driver always opens a long of `notional`
/// at `leverage`, under `limits`.
func limitedRunner(_ test: TestLedger, name: String, notional: FixedDecimal, leverage: Int,
                   limits: RiskLimits) throws -> (AccountRunner, AccountRecord) {
    let btc = Symbol("BTC")!
    let buy = Decision(instructions: [SymbolDecision(symbol: btc, action: .openLong, size: .usd(notional), leverage: leverage, justification: "")])
    let record = try test.ledger.createAccount(NewAccount(name: name, driverKind: "scripted", symbols: [btc], initialCapital: 1_000),
                                               now: Timestamp(milliseconds: 0))
    let runner = AccountRunner(record: record, driver: ScriptedDriver(decision: buy),
                               executor: PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash, positions: [], seed: 1),
                               limits: limits, intervalMilliseconds: 1000, recorder: try Recorder(ledger: test.ledger),
                               leaderboard: Leaderboard(), instruments: Instrument.defaults, logger: Logger(label: "test"))
    return (runner, record)
}

@Suite("Account runner risk halts")
struct AccountRunnerRiskTests {

    @Test("a drawdown past the limit halts the account: openings are refused, closing still works")
    func drawdownHalt() async throws {
        let test = try TestLedger()
        let (runner, record) = try limitedRunner(test, name: "dd", notional: 5_000, leverage: 5,
                                                 limits: RiskLimits(max_leverage: 5, max_drawdown_pct: 10))
        await runner.apply(btcSnapshot(mid: 100_000, time: 1_000))
        _ = try await runner.snapshot(time: Timestamp(milliseconds: 1_000))
        await runner.decide()
        #expect(try test.ledger.positions(of: record.id).count == 1)
        // A 3% fall at 5x is a 15% drawdown of equity.
        await runner.apply(btcSnapshot(mid: 97_000, time: 2_000))
        #expect(try test.ledger.account(record.id)?.status == .halted)
        await runner.decide()
        let refused = try test.database.read { db in
            try String.fetchOne(db, sql: "SELECT rejection_reason FROM decisions WHERE account_id = ? ORDER BY id DESC LIMIT 1",
                                arguments: [record.id.rawValue])
        }
        #expect(refused?.contains("Only reduce-only orders are allowed") == true)
        _ = await runner.closeAll(origin: .operator)
        #expect(try test.ledger.positions(of: record.id).isEmpty)
    }
}

@Suite("Account runner daily loss limit")
struct AccountRunnerDailyLossTests {

    @Test("past the daily loss limit openings are refused until the next UTC day")
    func dailyLoss() async throws {
        let test = try TestLedger()
        let (runner, record) = try limitedRunner(test, name: "daily", notional: 4_000, leverage: 4,
                                                 limits: RiskLimits(max_leverage: 5, daily_loss_limit: 50))
        let day: Int64 = 86_400_000
        await runner.apply(btcSnapshot(mid: 100_000, time: 10 * day + 1_000))
        await runner.decide()
        #expect(try test.ledger.positions(of: record.id).count == 1)
        // A 2% fall on 4,000 of BTC loses about 80 USD: past the 50 USD limit.
        await runner.apply(btcSnapshot(mid: 98_000, time: 10 * day + 2_000))
        await runner.decide()
        let refused = try test.database.read { db in
            try String.fetchOne(db, sql: "SELECT rejection_reason FROM decisions WHERE account_id = ? ORDER BY id DESC LIMIT 1",
                                arguments: [record.id.rawValue])
        }
        #expect(refused?.contains("daily loss limit of 50 USD") == true, "\(refused ?? "none")")
        #expect(try test.ledger.account(record.id)?.status == .active)
        // The next UTC day starts from the equity it has: openings pass again.
        await runner.apply(btcSnapshot(mid: 98_000, time: 11 * day + 1_000))
        await runner.decide()
        let latest = try test.database.read { db in
            try String.fetchOne(db, sql: "SELECT outcome FROM decisions WHERE account_id = ? ORDER BY id DESC LIMIT 1",
                                arguments: [record.id.rawValue])
        }
        #expect(latest == "accepted")
    }
}
