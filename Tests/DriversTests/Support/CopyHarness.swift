import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportDrivers
import ArenaTestSupportLedger
import Drivers
import Foundation
import GRDB
import Logging
import PaperExchange
import Storage
import Testing
@testable import Arena

/// One copy account trading BTC and ETH on the paper exchange through a real `AccountRunner`, risk
/// gate and ledger, following a scripted trader.
final class CopyHarness {
    static let trader = TraderAddress("0x00000000000000000000000000000000000000aa")!
    static let btc = Symbol("BTC")!
    static let eth = Symbol("ETH")!
    static let sol = Symbol("SOL")!
    static let capital: FixedDecimal = 100_000
    static let btcMid: FixedDecimal = 50_000
    static let ethMid: FixedDecimal = 3_000

    let test: TestLedger
    let traders: ScriptedTraders
    /// The wall clock the driver measures the trader's data's age on; it follows market time here.
    let clock: ManualClock
    let driver: CopyDriver
    let runner: AccountRunner
    let account: AccountID
    static let start: Int64 = 1_700_000_000_000
    /// Market time, milliseconds.
    private(set) var time: Int64 = CopyHarness.start
    /// Wall-clock time, milliseconds: the tracker stamps its observations with it.
    private(set) var wallTime: Int64 = CopyHarness.start
    /// Whether each step re-observes the trader (the tracker keeps polling); false makes its data age.
    var trackerPolls = true

    /// A fresh copy account on a fresh ledger.
    convenience init(sizing: CopySizing = .ratio(FixedDecimal(1, exponent: 1)), delaySeconds: Int64 = 0, maxTradeUSD: FixedDecimal? = nil,
                     symbols: [Symbol] = [CopyHarness.btc, CopyHarness.eth]) throws {
        let test = try TestLedger()
        let record = try test.ledger.createAccount(
            NewAccount(name: "copier", driverKind: "copy", symbols: symbols, initialCapital: Self.capital), now: Timestamp(milliseconds: 0))
        try self.init(test: test, record: record, parameters: CopyParameters(trader: Self.trader, sizing: sizing,
                                                                           delayMilliseconds: delaySeconds * 1000, maximumTradeUSD: maxTradeUSD),
                      traders: ScriptedTraders(), time: Self.start, wallTime: Self.start)
    }

    /// The account `record` of `test` as a restart finds it: the driver resumed from its stored
    /// state, the paper account from the ledger's cash and positions.
    init(test: TestLedger, record: AccountRecord, parameters: CopyParameters, traders: ScriptedTraders, time: Int64, wallTime: Int64) throws {
        self.test = test
        self.traders = traders
        self.time = time
        self.wallTime = wallTime
        account = record.id
        clock = ManualClock(milliseconds: wallTime)
        driver = CopyDriver(parameters: parameters, source: traders, clock: clock, persistedState: record.driverState)
        let executor = PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash,
                                     positions: try test.ledger.positions(of: record.id), seed: 1)
        runner = AccountRunner(record: record, driver: driver, executor: executor, limits: RiskLimits(max_leverage: 10),
                               intervalMilliseconds: 1000, recorder: try Recorder(ledger: test.ledger), leaderboard: Leaderboard(),
                               instruments: Instrument.defaults, logger: Logger(label: "copy-test"))
    }

    /// The same account rebuilt from what the ledger holds now, as after a restart, with the same tracker.
    func restarted() throws -> CopyHarness {
        let record = try #require(try test.ledger.account(account))
        let resumed = try CopyHarness(test: test, record: record, parameters: driver.parameters, traders: traders, time: time, wallTime: wallTime)
        resumed.trackerPolls = trackerPolls
        return resumed
    }

    /// The trader's positions as the tracker sees them now.
    func traderHolds(_ positions: [(String, FixedDecimal)], accountValue: FixedDecimal = 100_000) async {
        await traders.set(Self.trader.text, accountValue: accountValue, positions: positions, observedAt: wallTime)
    }

    static func snapshot(time: Int64) -> MarketSnapshot {
        let half = FixedDecimal(5, exponent: 1)
        return TestMarkets.snapshot(
            at: time,
            TestMarkets.quote(btc, mid: btcMid, book: TestMarkets.book(mid: btcMid, step: 1, size: 100, levels: 10, offset: half)),
            TestMarkets.quote(eth, mid: ethMid, book: TestMarkets.book(mid: ethMid, step: 1, size: 1_000, levels: 10, offset: half)),
            TestMarkets.quote(sol, mid: 150, book: TestMarkets.book(mid: 150, step: FixedDecimal(1, exponent: 2), size: 10_000,
                                                                   levels: 10, offset: FixedDecimal(1, exponent: 2))))
    }

    /// Moves market time on by `seconds` (and the wall clock by `wallSeconds`, the same unless
    /// given), shows the market and lets the driver decide once.
    func step(seconds: Int64 = 1, wallSeconds: Int64? = nil) async {
        time += seconds * 1000
        wallTime += (wallSeconds ?? seconds) * 1000
        clock.set(milliseconds: wallTime)
        if trackerPolls { await traders.touch(Self.trader.text, at: wallTime) }
        await runner.apply(Self.snapshot(time: time))
        await runner.decide()
    }

    /// The venue's position in `symbol`, signed, as the ledger stores it.
    func size(_ symbol: Symbol) throws -> FixedDecimal {
        try test.ledger.positions(of: account).first { $0.symbol == symbol }?.size ?? .zero
    }

    /// The reasoning of the last decision.
    func lastReasoning() throws -> String {
        try test.database.read { db in
            try String.fetchOne(db, sql: "SELECT COALESCE(reasoning, '') FROM decisions WHERE account_id = ? ORDER BY id DESC LIMIT 1",
                                arguments: [account.rawValue]) ?? ""
        }
    }

    /// Every order's size and symbol, oldest first.
    func orders() throws -> [(symbol: String, size: FixedDecimal, reduceOnly: Bool)] {
        try test.ledger.recentOrders(of: account, limit: 1_000).reversed().map {
            ($0.order.request.symbol.name, $0.order.request.size, $0.order.request.reduceOnly)
        }
    }

    /// The `alert` feed messages stored, as JSON text.
    func alerts() throws -> [String] {
        try test.ledger.events(after: 0, limit: 10_000).filter { $0.topic == .alert }.map(\.json)
    }
}
