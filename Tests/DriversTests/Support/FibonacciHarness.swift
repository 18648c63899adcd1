import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportLedger
import Drivers
import Foundation
import Logging
import PaperExchange
import Storage
import Testing
@testable import Arena

/// One Fibonacci hedge account trading ETH on the paper exchange through a real `AccountRunner`,
/// risk gate and ledger, stepped through scripted mids (the spec's parameters: `initial_margin`
/// 1000, leverage 3, defaults otherwise).
final class FibonacciHarness {
    static let eth = Symbol("ETH")!  // A literal that is a valid symbol.
    static let capital: FixedDecimal = 10_000
    static let parameters = FibonacciParameters(symbol: eth, initialMargin: 1_000, leverage: 3)

    let test: TestLedger
    let driver: FibonacciDriver
    let runner: AccountRunner
    let account: AccountID
    private(set) var time: Int64
    private(set) var price: FixedDecimal = .zero

    /// A fresh account on a fresh ledger.
    convenience init(limits: RiskLimits = RiskLimits(max_leverage: 10)) throws {
        let test = try TestLedger()
        let record = try test.ledger.createAccount(
            NewAccount(name: "fibonacci", driverKind: "fibonacci", symbols: [Self.eth], initialCapital: Self.capital),
            now: Timestamp(milliseconds: 0))
        try self.init(test: test, record: record, time: 1_700_000_000_000, limits: limits)
    }

    /// The account `record` of `test` as a restart finds it: the driver rebuilt from the persisted
    /// JSON, the paper account from the ledger's cash and positions.
    init(test: TestLedger, record: AccountRecord, time: Int64, limits: RiskLimits = RiskLimits(max_leverage: 10)) throws {
        self.test = test
        account = record.id
        self.time = time
        driver = try FibonacciDriver(parameters: Self.parameters, persistedState: record.driverState)
        let executor = PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash,
                                     positions: try test.ledger.positions(of: record.id), seed: 1)
        runner = AccountRunner(record: record, driver: driver, executor: executor, limits: limits,
                               intervalMilliseconds: 1000, recorder: try Recorder(ledger: test.ledger), leaderboard: Leaderboard(),
                               instruments: Instrument.defaults, logger: Logger(label: "fibonacci-test"))
    }

    /// The same account rebuilt from what the ledger holds now, as after a restart.
    func restarted() throws -> FibonacciHarness {
        let record = try #require(try test.ledger.account(account))
        let resumed = try FibonacciHarness(test: test, record: record, time: time)
        resumed.price = price
        return resumed
    }

    /// Shows the market at `mid` and lets the driver decide once.
    func step(to mid: FixedDecimal, book: BookShape = .deep) async {
        await show(mid, book: book)
        await runner.decide()
    }

    /// Shows the market at `mid` without a decision.
    func show(_ mid: FixedDecimal, book: BookShape = .deep) async {
        time += 1_000
        price = mid
        await runner.apply(HedgeHarness.snapshot(mid: mid, time: time, book: book))
    }

    /// Steps through `mids` in order.
    func run(_ mids: [FixedDecimal]) async {
        for mid in mids { await step(to: mid) }
    }

    /// The venue's position in ETH as the ledger stores it.
    func venueSize() throws -> FixedDecimal {
        try test.ledger.positions(of: account).first { $0.symbol == Self.eth }?.size ?? .zero
    }

    /// Every order of the account, oldest first.
    func orders() throws -> [StoredOrder] { try test.ledger.recentOrders(of: account, limit: 10_000).reversed() }

    /// Every fill of the account, oldest first.
    func fills() throws -> [Fill] { try test.ledger.fills(of: account, before: nil, limit: 10_000).map(\.fill).reversed() }

    func reasonings() throws -> [String] { try test.reasonings(of: account) }

    func lastReasoning() throws -> String { try reasonings().last ?? "" }

    /// What an order did, for comparing two runs: side, size, status, fill price and reduce-only.
    static func summary(_ stored: StoredOrder) -> String {
        let order = stored.order
        return "\(order.request.side.rawValue) \(order.request.size) \(order.status.rawValue) filled \(order.filledSize) "
            + "at \(order.averageFillPrice?.description ?? "-")\(order.request.reduceOnly ? " reduce-only" : "")"
    }

    /// Checks the ledger against the driver: the persisted state is the driver's, the ledger's cash
    /// and position are the venue's.
    func checkLedger(_ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let record = try #require(try test.ledger.account(account))
        let venue = await runner.accountState()
        #expect(record.driverState == FibonacciDriver.encode(driver.state), comment, sourceLocation: sourceLocation)
        #expect(record.cash == venue.cash, comment, sourceLocation: sourceLocation)
        #expect(try venueSize() == venue.positions[Self.eth]?.size ?? .zero, comment, sourceLocation: sourceLocation)
    }
}
