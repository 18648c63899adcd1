import ArenaCore
@testable import LLM
import Testing

/// A model may ask for a trailing stop with one optional field, `trailing_stop_pct`.
@Suite("Trailing stops in a model's decision")
struct TrailingStopDecisionTests {
    let parser = DecisionParser(universe: [Symbol("BTC")!])

    func answer(_ extra: String, action: String = "open_long") -> String {
        #"{"decisions": [{"symbol": "BTC", "action": "\#(action)", "size": 500, "size_unit": "usd", "leverage": 2, "#
            + extra + #""confidence": 0.6, "justification": "trend"}]}"#
    }

    @Test("an open's trailing_stop_pct becomes a trailing stop in percent; a close carries none")
    func parsed() throws {
        let open = try #require(try parser.parse(answer(#""stop_loss": 64000, "trailing_stop_pct": 1.5, "#)).instructions.first)
        #expect(open.trailingStop == .percent(FixedDecimal(15, exponent: 1)))
        #expect(open.stopLoss == 64_000)
        let close = try #require(try parser.parse(answer(#""trailing_stop_pct": 1.5, "#, action: "close")).instructions.first)
        #expect(close.trailingStop == nil)
        #expect(try parser.parse(answer("")).instructions.first?.trailingStop == nil)
    }

    @Test("a trailing_stop_pct that is not a number from above 0 to 50 is refused with the reason")
    func refused() {
        for (value, reason) in [("0", "trailing_stop_pct"), ("60", "at most 50"), (#""2""#, "must be a number"), ("-1", "must not be negative")] {
            #expect(throws: DecisionParseError.self, "\(value)") { try parser.parse(answer(#""trailing_stop_pct": \#(value), "#)) }
            do {
                _ = try parser.parse(answer(#""trailing_stop_pct": \#(value), "#))
            } catch {
                #expect("\(error)".contains(reason), "\(value): \(error)")
            }
        }
    }

    @Test("the schema offers the field, optional")
    func offered() throws {
        #expect(DecisionSchema.instructionFields.contains("trailing_stop_pct"))
        #expect(!DecisionSchema.requiredInstructionFields.contains("trailing_stop_pct"))
        let schema = DecisionSchema.schema(symbols: [Symbol("BTC")!], maximumLeverage: 5)
        let properties = schema["properties"]?["decisions"]?["items"]?["properties"]
        #expect(properties?["trailing_stop_pct"] != nil)
    }
}
