import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportDrivers
import ArenaTestSupportLedger
import Drivers
import Foundation
import Storage
import Testing
@testable import Arena

/// The copy driver (issue #14) following a scripted trader tracker through a real account runner,
/// risk gate, paper exchange and ledger.
@Suite("Copy driver")
struct CopyDriverTests {
    static let tenth = FixedDecimal(1, exponent: 1)

    @Test("following an open, an increase, a decrease, a flip and a close at ratio 0.1, each from the account's actual position")
    func followsEveryKindOfChange() async throws {
        let copy = try CopyHarness()
        let steps: [(trader: FixedDecimal, copier: FixedDecimal, says: String)] = [
            (1, Self.tenth, "OPEN long"),
            (2, FixedDecimal(2, exponent: 1), "INCREASE"),
            (FixedDecimal(15, exponent: 1), FixedDecimal(15, exponent: 2), "DECREASE"),
            (-1, -Self.tenth, "FLIP to short"),
            (0, 0, "CLOSE"),
        ]
        for step in steps {
            await copy.traderHolds(step.trader.isZero ? [] : [("BTC", step.trader)])
            await copy.step()
            #expect(try copy.size(CopyHarness.btc) == step.copier, "trader \(step.trader)")
            let reasoning = try copy.lastReasoning()
            #expect(reasoning.contains(step.says), "trader \(step.trader): \(reasoning)")
        }
        #expect(await copy.traders.followed.first == CopyHarness.trader.text, "the driver follows its trader")
        #expect(try copy.alerts().isEmpty)
    }

    @Test("notional_usd scales the trader's whole book by notional over the trader's account value")
    func notionalScaling() async throws {
        let copy = try CopyHarness(sizing: .notionalUSD(10_000))
        await copy.traderHolds([("BTC", 2), ("ETH", -20)], accountValue: 200_000)
        await copy.step()
        #expect(try copy.size(CopyHarness.btc) == Self.tenth)
        #expect(try copy.size(CopyHarness.eth) == -1)
        #expect(try copy.lastReasoning().contains("10000 USD for the trader's account value of 200000"))
    }

    @Test("sizes are rounded to the instrument's size decimals, and differences below the minimum order are ignored")
    func roundingAndTinyDifferences() async throws {
        let copy = try CopyHarness()
        await copy.traderHolds([("BTC", 1), ("ETH", FixedDecimal(123_456, exponent: 5))])
        await copy.step()
        #expect(try copy.size(CopyHarness.btc) == Self.tenth)
        #expect(try copy.size(CopyHarness.eth) == FixedDecimal(1_234, exponent: 4), "0.123456 rounded to ETH's 4 decimals")
        let orders = try copy.orders().count
        // 0.1001 BTC is 5 USD away from 0.1 BTC at 50000: below the venue's 10 USD minimum.
        await copy.traderHolds([("BTC", FixedDecimal(1_001, exponent: 3)), ("ETH", FixedDecimal(123_456, exponent: 5))])
        await copy.step()
        #expect(try copy.orders().count == orders)
        #expect(try copy.lastReasoning().contains("below the venue's minimum order"))
    }

    @Test("with a delay, a change is copied only once it has been seen that long (market time)")
    func delay() async throws {
        let copy = try CopyHarness(delaySeconds: 30)
        await copy.traderHolds([("BTC", 1)])
        await copy.step()
        #expect(try copy.size(CopyHarness.btc) == 0)
        #expect(try copy.lastReasoning().contains("copied after the delay of 30 s"))
        await copy.step(seconds: 20)
        #expect(try copy.size(CopyHarness.btc) == 0, "seen 20 s")
        await copy.step(seconds: 10)
        #expect(try copy.size(CopyHarness.btc) == Self.tenth, "seen 30 s")

        await copy.traderHolds([])
        await copy.step()
        #expect(try copy.size(CopyHarness.btc) == Self.tenth, "the close is not due yet: the open stays mirrored")
        await copy.step(seconds: 29)
        #expect(try copy.size(CopyHarness.btc) == Self.tenth)
        await copy.step(seconds: 1)
        #expect(try copy.size(CopyHarness.btc) == 0)
    }

    @Test("max_trade_usd caps every order; the rest follows on later decisions, a flip closing before it opens")
    func perTradeCap() async throws {
        // 2000 USD at 50000 is 0.04 BTC an order.
        let copy = try CopyHarness(maxTradeUSD: 2_000)
        let cap = FixedDecimal(4, exponent: 2)
        await copy.traderHolds([("BTC", 1)])
        var sizes: [FixedDecimal] = []
        for _ in 0..<3 {
            await copy.step()
            sizes.append(try copy.size(CopyHarness.btc))
        }
        #expect(sizes == [FixedDecimal(4, exponent: 2), FixedDecimal(8, exponent: 2), Self.tenth])
        await copy.step()
        #expect(try copy.lastReasoning().contains("in line"))

        await copy.traderHolds([("BTC", -1)])
        sizes = []
        for _ in 0..<5 {
            await copy.step()
            sizes.append(try copy.size(CopyHarness.btc))
        }
        #expect(sizes == [FixedDecimal(6, exponent: 2), FixedDecimal(2, exponent: 2), -cap, FixedDecimal(-8, exponent: 2), -Self.tenth])
        let orders = try copy.orders()
        #expect(orders.count == 9)
        #expect(orders.allSatisfy { $0.size <= cap }, "every order at most 0.04 BTC: \(orders.map(\.size))")
    }

    @Test("coins outside the account's symbols are ignored, and the rationale says so")
    func allowList() async throws {
        let copy = try CopyHarness(symbols: [CopyHarness.btc])
        await copy.traderHolds([("BTC", 1), ("ETH", 10), ("SOL", -50)])
        await copy.step()
        #expect(try copy.size(CopyHarness.btc) == Self.tenth)
        #expect(try copy.size(CopyHarness.eth) == 0)
        #expect(try copy.size(CopyHarness.sol) == 0)
        #expect(try copy.lastReasoning().contains("Ignored, not among this account's coins: ETH long 10, SOL short 50."))
    }

    @Test("stale trader data holds the positions and raises one trader_stale alert per stale spell")
    func staleDataHoldsAndAlertsOnce() async throws {
        let copy = try CopyHarness()
        await copy.traderHolds([("BTC", 1)])
        await copy.step()
        #expect(try copy.size(CopyHarness.btc) == Self.tenth)

        copy.trackerPolls = false
        await copy.step(seconds: 179)
        #expect(try copy.alerts().isEmpty, "179 s old: within three cadences of 60 s")
        // The trader's change arrives with an old observation time: stale data is never acted on.
        await copy.traders.set(CopyHarness.trader.text, positions: [("BTC", 3)], observedAt: copy.wallTime - 179_000)
        await copy.step(seconds: 2)
        #expect(try copy.size(CopyHarness.btc) == Self.tenth, "holds on stale data")
        #expect(try copy.lastReasoning().contains("Holding: trader \(CopyHarness.trader)'s positions were last seen 181 s ago"))
        await copy.step(seconds: 30)
        await copy.step(seconds: 30)
        var alerts = try copy.alerts()
        #expect(alerts.count == 1, "one alert for the spell: \(alerts)")
        #expect(alerts.first?.contains("\"kind\":\"trader_stale\"") == true)
        #expect(alerts.first?.contains("copier stopped copying") == true)

        copy.trackerPolls = true
        await copy.step()
        #expect(try copy.size(CopyHarness.btc) == FixedDecimal(3, exponent: 1), "fresh data is copied again")
        #expect(try copy.lastReasoning().contains("fresh again"))

        copy.trackerPolls = false
        await copy.step(seconds: 200)
        await copy.step(seconds: 10)
        alerts = try copy.alerts()
        #expect(alerts.count == 2, "a second spell, a second alert")
    }

    @Test("the data's age is measured on the wall clock: a market far ahead of it does not make fresh tracker data stale")
    func ageOnTheWallClock() async throws {
        let copy = try CopyHarness(delaySeconds: 60)
        await copy.traderHolds([("BTC", 1)])
        await copy.step(seconds: 1, wallSeconds: 1)
        // A sped-up market: an hour of market time passes in two seconds of wall time.
        await copy.step(seconds: 3_600, wallSeconds: 2)
        #expect(try copy.alerts().isEmpty)
        #expect(try copy.size(CopyHarness.btc) == Self.tenth, "fresh data, and the delay (market time) has passed")
        copy.trackerPolls = false
        await copy.step(seconds: 1, wallSeconds: 181)
        #expect(try copy.alerts().count == 1, "181 s of wall time without a poll is stale, whatever the market's time")
    }

    @Test("missing trader data holds, alerts once after two minutes, and a refused follow is retried")
    func missingData() async throws {
        let copy = try CopyHarness()
        await copy.traders.setFollowRefusal("the tracker is full")
        await copy.step()
        #expect(try copy.lastReasoning().contains("no positions for trader \(CopyHarness.trader) yet (following it failed: the tracker is full)"))
        #expect(try copy.alerts().isEmpty, "just started: no alert yet")
        await copy.traders.setFollowRefusal(nil)
        await copy.step(seconds: 130)
        await copy.step(seconds: 10)
        #expect(try copy.alerts().count == 1)
        #expect(await copy.traders.followed.count == 2, "refused once, then followed, then not asked again")
        #expect(try copy.size(CopyHarness.btc) == 0)
    }

    @Test("a restart resumes the delay and the stale spell from the stored state: no second wait, no second alert")
    func restartResumes() async throws {
        let copy = try CopyHarness(delaySeconds: 30)
        await copy.traderHolds([("BTC", 1)])
        await copy.step()
        #expect(try copy.size(CopyHarness.btc) == 0)
        let resumed = try copy.restarted()
        await resumed.step(seconds: 30)
        #expect(try resumed.size(CopyHarness.btc) == Self.tenth, "the open seen before the restart is due 30 s after it was seen")

        resumed.trackerPolls = false
        await resumed.step(seconds: 200)
        #expect(try resumed.alerts().count == 1)
        let again = try resumed.restarted()
        await again.step(seconds: 10)
        #expect(try again.alerts().count == 1, "the stale spell's alert was raised before the restart")
        #expect(try again.size(CopyHarness.btc) == Self.tenth)
    }

    @Test("a stored state that is not this copier's is set aside: it starts afresh and says so")
    func foreignStateStartsAfresh() async throws {
        let source = ScriptedTraders()
        let parameters = CopyParameters(trader: CopyHarness.trader, sizing: .ratio(1))
        let other = CopyDriver(parameters: CopyParameters(trader: try #require(TraderAddress("0x" + String(repeating: "b", count: 40))),
                                                          sizing: .ratio(1)), source: source)
        let foreign = try #require(await other.persistentState())
        for stored in [foreign, #"{"phase":"RIDING"}"#] {
            let driver = CopyDriver(parameters: parameters, source: source, clock: ManualClock(milliseconds: CopyHarness.start), persistedState: stored)
            await source.set(CopyHarness.trader.text, positions: [], observedAt: CopyHarness.start)
            let start = Timestamp(milliseconds: CopyHarness.start)
            let output = try await driver.decide(DecisionContext(
                accountID: AccountID(1), accountName: "copier", time: start, startedAt: start, callNumber: 1, symbols: [CopyHarness.btc],
                market: CopyHarness.snapshot(time: CopyHarness.start),
                account: AccountState(cash: 10_000, positions: [:], equity: 10_000, unrealizedPnl: 0, marginUsed: 0, time: start),
                initialCapital: 10_000, maxLeverage: 5, instruments: Instrument.defaults))
            #expect(output.decision.reasoning?.hasPrefix("Started afresh") == true, "\(output.decision.reasoning ?? "")")
        }
    }

    @Test("the stale limit is three of the tracker's cadences and at least two minutes",
          arguments: [(Int64(10_000), Int64(120_000)), (60_000, 180_000), (120_000, 360_000), (-5, 120_000)])
    func staleLimit(cadence: Int64, limit: Int64) {
        #expect(CopyDriver.staleLimit(cadenceMilliseconds: cadence) == limit)
    }
}

/// The `copy` driver's settings in a roster file and in the runtime's driver environment.
@Suite("Copy driver settings")
struct CopySettingsTests {
    static let address = "0x00000000000000000000000000000000000000aa"

    /// Loads a one-account roster with `driver` (JSON text) through the real file loader.
    static func load(driver: String, symbols: String = "[\"BTC\"]") throws -> Roster {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("copy-roster-\(UUID().uuidString).json").path
        let text = "{\"accounts\": [{\"name\": \"copier\", \"driver\": \(driver), \"symbols\": \(symbols), \"initial_capital\": \"10000\"}]}"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Roster.load(path: path)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let driver: String
        let says: String
        var testDescription: String { says }
    }

    @Test("bad copy settings are refused with what to give instead", arguments: [
        BadCase(driver: #"{"kind": "copy", "ratio": "0.1"}"#, says: "copy needs a trader"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x123", "ratio": "0.1"}"#, says: "is not a trader address: it has 3 hex digits after 0x instead of 40"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000ag", "ratio": "0.1"}"#, says: "is not a trader address"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000aa"}"#, says: "copy needs ratio"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000aa", "ratio": "0.1", "notional_usd": "1000"}"#, says: "not both"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000aa", "ratio": "0"}"#, says: "ratio must be above 0 and at most 100"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000aa", "ratio": "101"}"#, says: "ratio must be above 0 and at most 100"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000aa", "notional_usd": "5"}"#, says: "notional_usd must be between 10"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000aa", "ratio": "1", "delay_seconds": -1}"#, says: "delay_seconds must be 0 to 86400"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000aa", "ratio": "1", "max_trade_usd": "5"}"#, says: "max_trade_usd must be between 10"),
        BadCase(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000aa", "ratoi": "1"}"#, says: "unknown field"),
    ])
    func refused(_ bad: BadCase) throws {
        do {
            _ = try Self.load(driver: bad.driver)
            Issue.record("accepted \(bad.driver)")
        } catch let error as ArenaError {
            #expect(error.description.contains(bad.says), "\(error)")
        }
    }

    @Test("a valid copy entry is read with its address lower-cased, and stored that way")
    func valid() throws {
        let roster = try Self.load(driver: #"{"kind": "copy", "trader": "0x00000000000000000000000000000000000000AA", "notional_usd": "5000", "delay_seconds": 30, "max_trade_usd": "250"}"#)
        let settings = try #require(roster.accounts.first?.driver)
        #expect(settings.trader?.text == Self.address)
        let parameters = try #require(settings.copyParameters)
        #expect(parameters.sizing == .notionalUSD(5_000))
        #expect(parameters.delayMilliseconds == 30_000)
        #expect(parameters.maximumTradeUSD == 250)
        #expect(try JSON.encode(settings).contains("\"trader\":\"\(Self.address)\""))
    }

    @Test("without a trader tracker a copy account is skipped with a reason; with one its driver is built")
    func environment() async throws {
        let settings = DriverSettings.copy(trader: try #require(TraderAddress(Self.address)), ratio: 1)
        let bare = DriverEnvironment(llm: nil, localModel: nil, variables: [:])
        #expect(bare.unavailableReason(for: settings)?.contains("no trader tracker runs") == true)
        let tracked = DriverEnvironment(llm: nil, localModel: nil, variables: [:], traderPositions: ScriptedTraders())
        #expect(tracked.unavailableReason(for: settings) == nil)
        let test = try TestLedger()
        let record = try test.ledger.createAccount(NewAccount(name: "copier", driverKind: "copy", driverSettings: try JSON.encode(settings),
                                                              symbols: [CopyHarness.btc], initialCapital: 10_000),
                                                   now: Timestamp(milliseconds: 0))
        let driver = try DriverFactory.make(settings, for: record, environment: tracked)
        #expect(driver.kind == "copy")
        #expect(throws: ArenaError.self) { try DriverFactory.make(settings, for: record, environment: bare) }
    }
}
