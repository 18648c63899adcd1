import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportLedger
import Drivers
import Foundation
import GRDB
import Logging
import PaperExchange
import Storage
import Testing
@testable import Arena

extension TestLedger {
    /// The reasoning of every decision of `account`, oldest first.
    func reasonings(of account: AccountID) throws -> [String] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT COALESCE(reasoning, '') FROM decisions WHERE account_id = ? ORDER BY id",
                                arguments: [account.rawValue])
        }
    }
}

/// How much liquidity a scripted snapshot offers around its mid.
enum BookShape: Sendable {
    /// Ten levels of 100 coins a side, 0.1 apart, best bid and ask 0.05 from the mid.
    case deep
    /// One level a side holding this many coins.
    case thin(FixedDecimal)
    /// No bids at all: sells find nothing to match.
    case noBids
}

/// One hedge account trading ETH on the paper exchange through a real `AccountRunner`, risk gate
/// and ledger, stepped through scripted prices.
final class HedgeHarness {
    static let eth = Symbol("ETH")!
    static let capital: FixedDecimal = 10_000
    /// The seed's example: entry 3450, unit 2.
    static let unitSize: FixedDecimal = 2
    static let initialMargin: FixedDecimal = 1_000
    /// The mid of the opening snapshot: its best ask is exactly 3450.
    static let startMid = FixedDecimal(344_995, exponent: 2)

    let test: TestLedger
    let driver: HedgeDriver
    let runner: AccountRunner
    let account: AccountID
    private(set) var time: Int64
    private(set) var price: FixedDecimal = HedgeHarness.startMid

    /// A fresh account on a fresh ledger.
    convenience init() throws {
        let test = try TestLedger()
        let record = try test.ledger.createAccount(
            NewAccount(name: "hedge", driverKind: "hedge4", symbols: [Self.eth], initialCapital: Self.capital),
            now: Timestamp(milliseconds: 0))
        try self.init(test: test, record: record, time: 1_700_000_000_000)
    }

    /// The account `record` of `test` as a restart finds it: the driver rebuilt from the persisted
    /// JSON, the paper account from the ledger's cash and positions.
    init(test: TestLedger, record: AccountRecord, time: Int64) throws {
        self.test = test
        account = record.id
        self.time = time
        driver = try HedgeDriver(symbol: Self.eth, unitSize: Self.unitSize, initialMargin: Self.initialMargin,
                                 persistedState: record.driverState)
        let executor = PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash,
                                     positions: try test.ledger.positions(of: record.id), seed: 1)
        runner = AccountRunner(record: record, driver: driver, executor: executor, limits: RiskLimits(max_leverage: 10),
                               intervalMilliseconds: 1000, recorder: try Recorder(ledger: test.ledger), leaderboard: Leaderboard(),
                               instruments: Instrument.defaults, logger: Logger(label: "hedge-test"))
    }

    /// The same account rebuilt from what the ledger holds now, as after a restart.
    func restarted() throws -> HedgeHarness {
        let record = try #require(try test.ledger.account(account))
        let resumed = try HedgeHarness(test: test, record: record, time: time)
        resumed.price = price
        return resumed
    }

    static func snapshot(mid: FixedDecimal, time: Int64, book shape: BookShape) -> MarketSnapshot {
        let half = FixedDecimal(5, exponent: 2)
        let book: OrderBook
        switch shape {
        case .deep:
            book = TestMarkets.book(mid: mid, step: FixedDecimal(1, exponent: 1), size: 100, levels: 10, offset: half)
        case .thin(let size):
            book = TestMarkets.book(mid: mid, size: size, levels: 1, offset: half)
        case .noBids:
            book = OrderBook(bids: [], asks: TestMarkets.book(mid: mid, step: FixedDecimal(1, exponent: 1), size: 100, levels: 10, offset: half).asks)
        }
        return TestMarkets.snapshot(at: time, TestMarkets.quote(eth, mid: mid, book: book))
    }

    /// Shows the market at `mid` and lets the driver decide once.
    func step(to mid: FixedDecimal, book: BookShape = .deep) async {
        time += 1_000
        price = mid
        await runner.apply(Self.snapshot(mid: mid, time: time, book: book))
        await runner.decide()
    }

    /// The opening buy: fills at exactly 3450.
    func start() async throws {
        await step(to: Self.startMid)
        #expect(driver.state.started)
        #expect(driver.state.entryPrice == 3_450)
    }

    /// A price well inside unit `unit` of the cycle that started at `entry` (a quarter unit past
    /// its boundary, as in the seed's 3452.50 and 3447.50).
    static func price(unit: Int, entry: FixedDecimal, unitSize: FixedDecimal = HedgeHarness.unitSize) -> FixedDecimal {
        let quarter = unitSize / 4
        return entry + unitSize * unit + (unit >= 0 ? quarter : -quarter)
    }

    /// Moves to unit `unit` of the current cycle.
    func move(toUnit unit: Int, book: BookShape = .deep) async {
        await step(to: Self.price(unit: unit, entry: driver.state.entryPrice, unitSize: driver.state.unitSize), book: book)
    }

    /// The venue's position in ETH as the ledger stores it.
    func venueSize() throws -> FixedDecimal {
        try test.ledger.positions(of: account).first { $0.symbol == Self.eth }?.size ?? .zero
    }

    func orderCount() throws -> Int { try test.ledger.recentOrders(of: account, limit: 10_000).count }

    func lastReasoning() throws -> String { try test.reasonings(of: account).last ?? "" }

    /// Checks the ledger against the driver: the venue holds the legs' net, the persisted state is
    /// the driver's, the ledger's cash is the venue's, and the legs' virtual equity has moved by
    /// exactly the venue's PnL before fees.
    func checkLedger(_ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let state = driver.state
        let record = try #require(try test.ledger.account(account))
        let venue = await runner.accountState()
        #expect(try venueSize() == state.netSize, comment, sourceLocation: sourceLocation)
        #expect(venue.positions[Self.eth]?.size ?? .zero == state.netSize, comment, sourceLocation: sourceLocation)
        #expect(record.driverState == HedgeDriver.encode(state), comment, sourceLocation: sourceLocation)
        #expect(record.cash == venue.cash, comment, sourceLocation: sourceLocation)
        #expect(!state.longSize.isNegative && !state.shortSize.isNegative, comment, sourceLocation: sourceLocation)
        let notional = Self.initialMargin * FixedDecimal(state.leverage)
        let strategyPnl = state.virtualEquity(at: price) - notional
        let venuePnl = venue.equity - Self.capital + record.totals.feesPaid
        #expect((strategyPnl - venuePnl).magnitude < FixedDecimal(1, exponent: 4),
                "strategy PnL \(strategyPnl) vs venue PnL \(venuePnl); \(comment?.description ?? "")", sourceLocation: sourceLocation)
    }
}
