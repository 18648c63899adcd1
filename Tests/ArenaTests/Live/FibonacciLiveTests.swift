import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportLedger
import Drivers
import Foundation
import Hyperliquid
import Logging
import Storage
import Testing
@testable import Arena

/// The venue of this suite's test.
private let venue = SharedFakeExchange()

@Suite("The Fibonacci hedge live against the fake venue", .serialized)
struct FibonacciLiveTests {
    @Test("a runner with the live executor trades the spec's decline: the start, three level orders, then a new cycle")
    func declineAndNewCycle() async throws {
        let fake = try await venue.fake
        let eth = Symbol("ETH")!  // A literal that is a valid symbol.
        let signer = try testSigner(0x6f)
        try await fake.addUser(signer.address)
        try await fake.setMids(["BTC": "65000", "ETH": "3000", "SOL": "150"])
        let client = try exchangeClient(fake, signer: signer)
        let universe = HyperliquidUniverse(meta: try await client.info.meta())

        let test = try TestLedger()
        let record = try test.ledger.createAccount(
            NewAccount(name: "fibonacci-live", driverKind: "fibonacci", symbols: [eth], initialCapital: 10_000),
            now: Timestamp(milliseconds: 0))
        let driver = try FibonacciDriver(parameters: FibonacciParameters(symbol: eth, initialMargin: 1_000, leverage: 3))
        let executor = HyperliquidExecutor(exchange: client, universe: universe, accountID: record.id, fillsAfter: Timestamp(milliseconds: 0),
                                           configuration: .init(pollIntervalMilliseconds: 0, fillLookupDelay: .milliseconds(20),
                                                                deadManSwitchMilliseconds: nil),
                                           logger: Logger(label: "fibonacci-live"))
        let runner = AccountRunner(record: record, driver: driver, executor: executor, limits: RiskLimits(max_leverage: 10),
                                   intervalMilliseconds: 1000, recorder: try Recorder(ledger: test.ledger), leaderboard: Leaderboard(),
                                   instruments: Instrument.defaults, logger: Logger(label: "fibonacci-live"))
        var time: Int64 = 1_700_000_000_000
        func step(_ mid: FixedDecimal) async throws {
            try await fake.setMids(["ETH": mid.description])
            time += 1_000
            await runner.apply(TestMarkets.snapshot(eth, mid: mid, at: time, size: 100, levels: 1, offset: 0))
            await runner.decide()
        }
        func venueOrders() async throws -> [String] {
            try await fake.orders(of: signer.address).map { order in
                let size = (order["origSz"] as? String).flatMap(FixedDecimal.init)?.description ?? "?"
                return "\(order["side"] as? String ?? "?") \(size) \(order["status"] as? String ?? "?")"
            }
        }

        try await step(3_000)
        #expect(driver.state.started && driver.state.cycle == 1)
        #expect(try await venueOrders() == ["B 1 filled"])
        try await step(3_200)
        try await step(3_090)
        let out = driver.state
        #expect(out.phase == .out && out.levelReached == 3)
        // HEDGED sells the long, REDUCED and OUT each sell 0.25 x 3000 / 3090 = 0.2427.
        #expect(try await venueOrders() == ["B 1 filled", "A 1 filled", "A 0.2427 filled", "A 0.2427 filled"])
        #expect(await runner.accountState().positions[eth]?.size == FixedDecimal(-4_854, exponent: 4))

        try await step(2_900)
        try await step(2_960)
        #expect(try await venueOrders().count == 4, "nothing trades from OUT below the trailing stop")
        try await step(2_975)
        let state = driver.state
        #expect(state.cycle == 2 && state.phase == .riding && state.swingLow == 2_900 && state.swingHigh == 2_975)
        let long = Instrument.defaultInstrument(for: eth).roundSize(state.baseNotional / 2_975)
        let orders = try await venueOrders()
        #expect(orders.count == 6 && orders.suffix(2) == ["B 0.4854 filled", "B \(long) filled"], "\(orders)")
        #expect(await runner.accountState().positions[eth]?.size == long)
        // The ledger holds every order of the run, and the driver's state as persisted.
        #expect(try test.ledger.recentOrders(of: record.id, limit: 100).count == 6)
        #expect(try test.ledger.account(record.id)?.driverState == FibonacciDriver.encode(state))
    }
}
