import ArenaCore
import Testing
@testable import PaperExchange

@Suite("Same inputs and seed give a byte-identical event log")
struct DeterminismTests {
    @Test("two runs of the same seeded stream, realism on, write the same log")
    func sameSeedSameLog() {
        var first = Scenario(seed: 42, realism: true)
        var second = Scenario(seed: 42, realism: true)
        let firstLog = PaperEventLog.text(first.run(steps: 300))
        let secondLog = PaperEventLog.text(second.run(steps: 300))
        #expect(firstLog == secondLog)
        #expect(Array(firstLog.utf8) == Array(secondLog.utf8))
        for kind in ["order ", "fill ", "funding "] { #expect(firstLog.contains(kind)) }
        #expect(first.exchange.accountState() == second.exchange.accountState())
    }

    @Test("the exchange's seed alone changes the realism draws")
    func seedMatters() {
        var configuration = PaperExchangeConfiguration(realism: RealismProfile(latencyRange: nil))
        configuration.realism?.rejectionProbability = FixedDecimal(5, exponent: 1)
        func run(_ seed: UInt64) -> String {
            var exchange = PaperExchange(configuration: configuration, startingCash: 1_000_000, seed: seed)
            var events = exchange.apply(Fixtures.btcSnapshot(size: "100"))
            for sequence in 1...40 as ClosedRange<UInt64> {
                events += exchange.submit(Fixtures.market(sequence, sequence % 2 == 0 ? .buy : .sell, "0.01"), at: Fixtures.time(1))
            }
            return PaperEventLog.text(events)
        }
        #expect(run(1) == run(1))
        #expect(run(1) != run(2))
    }

    @Test("an event log line names every field in a fixed order")
    func logLineFormat() {
        let fill = Fill(clientOrderID: Fixtures.id(1), symbol: Fixtures.btc, side: .buy, price: 100_001, size: Fixtures.decimal("0.1"),
                        fee: Fixtures.decimal("4.50004500"), liquidity: .taker, time: Fixtures.time(1))
        #expect(PaperEventLog.line(.filled(fill)) ==
            "fill id=0x00000000000000070000000000000001 symbol=BTC side=buy price=100001 size=0.1 fee=4.500045 liquidity=taker realized=0 liquidation=false time=1700000001000")
    }
}
