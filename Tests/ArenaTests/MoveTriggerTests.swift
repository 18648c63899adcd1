import ArenaCore
import ArenaTestSupportDrivers
import ArenaTestSupportLedger
import Logging
import PaperExchange
import Storage
import Testing
@testable import Arena

/// `trigger_move_pct`: a decision starts as soon as a coin moves that far since the last one.
@Suite("Move trigger")
struct MoveTriggerTests {
    let btc = Symbol("BTC")!

    func runner(_ test: TestLedger, trigger: FixedDecimal?, leaderboard: Leaderboard = Leaderboard()) throws -> (AccountRunner, AccountRecord) {
        let record = try test.ledger.createAccount(NewAccount(name: "mover", driverKind: "scripted", symbols: [btc], initialCapital: 1_000),
                                                   now: Timestamp(milliseconds: 0))
        let hold = Decision(instructions: [SymbolDecision(symbol: btc, action: .hold, justification: "wait")])
        let runner = AccountRunner(record: record, driver: ScriptedDriver(decision: hold),
                                   executor: PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash, positions: [], seed: 1),
                                   limits: RiskLimits(), intervalMilliseconds: 3_600_000, recorder: try Recorder(ledger: test.ledger),
                                   leaderboard: leaderboard, instruments: Instrument.defaults, triggerMovePercent: trigger,
                                   logger: Logger(label: "move-test"))
        return (runner, record)
    }

    @Test("a move past the trigger asks for a decision once per move, in either direction")
    func firesOncePerMove() async throws {
        let test = try TestLedger()
        let (runner, _) = try runner(test, trigger: 1)
        #expect(await runner.apply(btcSnapshot(mid: 100_000, time: 1_000)) == false, "no decision yet: nothing to move from")
        await runner.decide()
        #expect(await runner.apply(btcSnapshot(mid: 100_500, time: 2_000)) == false, "0.5% is below the trigger")
        #expect(await runner.apply(btcSnapshot(mid: 101_200, time: 3_000)) == true, "1.2% is past it")
        await runner.decide()
        #expect(await runner.apply(btcSnapshot(mid: 101_300, time: 4_000)) == false, "measured from the new decision")
        #expect(await runner.apply(btcSnapshot(mid: 99_900, time: 5_000)) == true, "a fall counts too")
    }

    @Test("without a trigger, no move asks for a decision")
    func offByDefault() async throws {
        let test = try TestLedger()
        let (runner, _) = try runner(test, trigger: nil)
        await runner.apply(btcSnapshot(mid: 100_000, time: 1_000))
        await runner.decide()
        #expect(await runner.apply(btcSnapshot(mid: 150_000, time: 2_000)) == false)
    }

    @Test("a skipped cycle is counted on the account's leaderboard line")
    func skippedCyclesVisible() async throws {
        let test = try TestLedger()
        let leaderboard = Leaderboard()
        let (runner, record) = try runner(test, trigger: 1, leaderboard: leaderboard)
        await runner.apply(btcSnapshot(mid: 100_000, time: 1_000))
        #expect(leaderboard.entry(record.id)?.skipped_cycles == 0)
        await runner.noteSkippedCycle()
        await runner.noteSkippedCycle()
        await runner.apply(btcSnapshot(mid: 100_000, time: 2_000))
        #expect(leaderboard.entry(record.id)?.skipped_cycles == 2)
    }

    @Test("trigger_move_pct must be above 0 and at most 100")
    func validation() throws {
        for bad in ["0", "-1", "150"] {
            var settings = DriverSettings(kind: .random)
            settings.trigger_move_pct = FixedDecimal(bad)
            #expect(throws: ArenaError.self) { try settings.validate(symbols: [btc]) }
        }
        var settings = DriverSettings(kind: .random)
        settings.trigger_move_pct = 1
        try settings.validate(symbols: [btc])
    }
}
