@testable import Arena
import ArenaCore
import ArenaTestSupportCore
import Foundation
import Testing

/// `JSON.encode` writes with JSONCore's `JSONTextEncoder`; what it stores (feed payloads, equity
/// statistics, decisions) must stay byte for byte what Foundation's JSONEncoder wrote before.
@Suite("JSON.encode against Foundation's JSONEncoder on the stored types")
struct JSONEncodingParityTests {
    private static func foundation<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func expectSame<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try JSON.encode(value)
        #expect(ours == (try foundation(value)), sourceLocation: sourceLocation)
        // Responses (explicit nulls) go through the same encoder.
        let response = try JSON.encodeResponse(value)
        #expect(response.utf8.count >= ours.utf8.count, sourceLocation: sourceLocation)
    }

    @Test("equity statistics at every stage of a curve, with awkward doubles")
    func equityStatistics() throws {
        var statistics = EquityStatistics()
        try Self.expectSame(statistics)
        var time: Int64 = 1_700_000_000_000 + 1_234
        var equity = 10_000.0
        for step in 0..<400 {
            equity *= 1 + sin(Double(step)) / 37
            let margin = FixedDecimal(approximating: equity / 3.7) ?? .zero
            statistics.add(equity: FixedDecimal(approximating: equity) ?? .zero, marginUsed: margin, time: Timestamp(milliseconds: time))
            time += 900_000 + Int64(step % 7) * 1_000
            if step % 23 == 0 { try Self.expectSame(statistics) }
        }
        try Self.expectSame(statistics)
        try Self.expectSame([statistics, EquityStatistics()])
    }

    @Test("feed payloads and decisions")
    func payloads() throws {
        try Self.expectSame(SnapshotView(account_id: 3, equity: "10234.5", cash: "9000", unrealized_pnl: "-12.25", margin_used: "0",
                                         return_pct: 2.345000000000001, time: 1_700_000_000_000))
        try Self.expectSame(SnapshotView(account_id: 3, equity: "1", cash: "1", unrealized_pnl: "0", margin_used: "0",
                                         return_pct: -1e-7, time: 0))
        try Self.expectSame(DecisionView(id: 9, account_id: 3, driver: "llm", model: "deepseek/v3", outcome: "executed",
                                         rejection_reason: nil, justification: "BTC broke 100k \"resistance\"\n/ETH weak",
                                         actions: ["buy BTC 0.1", "sell ETH 2"], latency_ms: 812, time: 1_700_000_000_123))
        try Self.expectSame(PricesView(mids: ["BTC": "101234.5", "ETH": "3450.25", "SOL": "201", "kPEPE": "0.0123"], time: 17))
        try Self.expectSame(FundingView(symbol: "ETH", rate: "0.0000125", position_size: "-2", amount: "0.08625", time: 5))
        try Self.expectSame(RankingView(ranking: [.init(account_id: 1, name: "dé/é", equity: "10500", return_pct: 5),
                                                  .init(account_id: 2, name: "b", equity: "9000.5", return_pct: -9.995)]))
        try Self.expectSame(HelloView(server: "arena/1.0", market: "paper", last_seq: 123_456, topics: ["fills", "orders"]))
        try Self.expectSame(AlertView(kind: "margin", message: "Equity near maintenance <50%>", account_value: "120.5"))

        let order = #"{"id":12,"cloid":"0x00000000000000000000000000000abc","account_id":3,"symbol":"BTC","side":"buy","type":"limit","tif":"Gtc","reduce_only":false,"origin":"model","price":"100000","size":"0.01","filled_size":"0","fee":"0","status":"open","mode":"paper","created_at":1,"updated_at":2,"exits":["0x1","0x2"]}"#
        try Self.expectSame(try JSONDecoder().decode(OrderView.self, from: Data(order.utf8)))
        let fill = #"{"cloid":"0xabc","account_id":3,"symbol":"ETH","side":"sell","price":"3450.5","size":"2","fee":"0.69","liquidity":"taker","realized_pnl":"-1.5","is_liquidation":false,"time":99}"#
        try Self.expectSame(try JSONDecoder().decode(FillView.self, from: Data(fill.utf8)))
        let decision = #"{"instructions":[{"symbol":"BTC","action":"buy","size_usd":"1500.25","leverage":5,"take_profit":"110000","stop_loss":"95000","invalidation_condition":"4h close < 94k","confidence":"0.72","justification":"momentum / breakout"},{"symbol":"ETH","action":"hold","justification":""}],"reasoning":"Multi\tline\u0001 reasoning"}"#
        try Self.expectSame(try JSONDecoder().decode(DecisionJSON.self, from: Data(decision.utf8)))
    }

    /// These types list their members by hand (`JSONMembersWritable`): every stored property must be
    /// listed, so a value with all of them set must show all of them, as Foundation writes it.
    @Test("payloads that list their own members list every property, as Foundation writes them")
    func handListedMembers() throws {
        let order = #"{"id":12,"cloid":"0x0abc","account_id":3,"symbol":"BTC","side":"sell","type":"trigger","tif":"Gtc","reduce_only":true,"origin":"exit","price":"95000","trigger_price":"95500","size":"0.01","filled_size":"0.005","average_fill_price":"95400.5","mid_at_submission":"95600","slippage_bps":"-1.25","fee":"0.21","status":"partially_filled","rejection_reason":"none / \"quoted\"","mode":"paper","created_at":1,"updated_at":2,"trigger_kind":"stop_loss","exit_group":"0x0abb","trailing_distance":"1.5%","trailing_anchor":"96000","exits":[]}"#
        let fill = #"{"cloid":"0xabc","account_id":3,"symbol":"ETH","side":"buy","price":"3450.5","size":"2","fee":"0.69","liquidity":"maker","realized_pnl":"0","is_liquidation":true,"time":99}"#
        let decision = #"{"instructions":[{"symbol":"BTC","action":"rebalance","size_usd":"1500.25","size_equity_fraction":"0.25","target_size":"-0.5","leverage":5,"take_profit":"110000","stop_loss":"95000","invalidation_condition":"4h close < 94k","confidence":"0.72","justification":"é\n\u0007"}],"reasoning":"r"}"#
        let view = DecisionView(id: 9, account_id: 3, driver: "hedge4", model: "m", outcome: "rejected", rejection_reason: "limit",
                                justification: "j", actions: [], latency_ms: 0, time: -1)
        func expectComplete<T: Codable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
            try Self.expectSame(value, sourceLocation: sourceLocation)
            #expect(jsonObject(try JSON.encode(value), coversEveryPropertyOf: value), "\(T.self) leaves a property out",
                    sourceLocation: sourceLocation)
        }
        try expectComplete(try JSONDecoder().decode(OrderView.self, from: Data(order.utf8)))
        try expectComplete(try JSONDecoder().decode(FillView.self, from: Data(fill.utf8)))
        try expectComplete(view)
        let decoded = try JSONDecoder().decode(DecisionJSON.self, from: Data(decision.utf8))
        try expectComplete(decoded)
        try expectComplete(try #require(decoded.instructions.first))
        try Self.expectSame(DecisionJSON(Decision(instructions: [], reasoning: nil)))
    }
}
