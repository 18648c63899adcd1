import ArenaCore
import Testing
@testable import Hyperliquid

private func parse(_ text: String) throws -> ExchangeResponseWire {
    try ExchangeResponseWire.parse(Array(text.utf8))
}

@Suite("Parsing /exchange answers")
struct ExchangeResponseTests {
    @Test("order statuses: resting, filled, error and the waiting words, in order")
    func orderStatuses() throws {
        let answer = try parse(#"""
        {"status":"ok","response":{"type":"order","data":{"statuses":[
          {"resting":{"oid":77738308,"cloid":"0x00000000000000070000000000000001"}},
          {"filled":{"totalSz":"0.02","avgPx":"1891.4","oid":77747314}},
          {"error":"Order must have minimum value of $10."},
          "waitingForFill","waitingForTrigger"]}}}
        """#)
        #expect(answer == .ok(type: "order", statuses: [
            .resting(oid: 77_738_308, cloid: "0x00000000000000070000000000000001"),
            .filled(totalSz: "0.02", avgPx: "1891.4", oid: 77_747_314, cloid: nil),
            .error("Order must have minimum value of $10."),
            .waitingForFill, .waitingForTrigger,
        ]))
    }

    @Test("statuses become placements; the venue's error text is kept whole")
    func placements() throws {
        #expect(try HyperliquidConversion.placement(.resting(oid: 5, cloid: nil)) == .resting(venueOrderID: 5))
        #expect(try HyperliquidConversion.placement(.filled(totalSz: "0.02", avgPx: "1891.4", oid: 6, cloid: nil))
            == .filled(size: FixedDecimal(2, exponent: 2), averagePrice: FixedDecimal(18_914, exponent: 1), venueOrderID: 6))
        #expect(try HyperliquidConversion.placement(.error("Insufficient margin to place order. asset=0"))
            == .rejected(reason: "Insufficient margin to place order. asset=0"))
        #expect(try HyperliquidConversion.placement(.waitingForTrigger) == .resting(venueOrderID: nil))
        #expect(throws: HyperliquidClientError.self) { try HyperliquidConversion.placement(.filled(totalSz: "x", avgPx: "1", oid: 1, cloid: nil)) }
    }

    @Test("HTTP 200 with status err is a refusal in the venue's words")
    func statusErr() throws {
        #expect(try parse(#"{"status":"err","response":"User or API Wallet 0xabc does not exist."}"#)
            == .err("User or API Wallet 0xabc does not exist."))
    }

    @Test("default answers, cancels and leverage changes")
    func defaults() throws {
        #expect(try parse(#"{"status":"ok","response":{"type":"default"}}"#) == .ok(type: "default", statuses: []))
        #expect(try parse(#"{"status":"ok","response":{"type":"cancel","data":{"statuses":["success",{"error":"Order was never placed, already canceled, or filled."}]}}}"#)
            == .ok(type: "cancel", statuses: [.success, .error("Order was never placed, already canceled, or filled.")]))
        #expect(try HyperliquidExchangeClient.cancelResults([.success, .error("no")], count: 2) == [nil, "no"])
        #expect(throws: HyperliquidClientError.self) { try HyperliquidExchangeClient.cancelResults([.success], count: 2) }
    }

    @Test("malformed answers are refused with a reason", arguments: [
        "not json", #"{"response":{}}"#, #"{"status":"maybe"}"#, #"{"status":"ok","response":{"data":{}}}"#,
        #"{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{}}]}}}"#,
        #"{"status":"ok","response":{"type":"order","data":{"statuses":[{"filled":{"oid":1}}]}}}"#,
        #"{"status":"ok","response":{"type":"order","data":{"statuses":[42]}}}"#,
        #"{"status":"ok","response":{"type":"order","data":{"statuses":[{"surprise":1}]}}}"#,
    ])
    func malformed(text: String) {
        #expect(throws: HyperliquidClientError.self) { try parse(text) }
    }

    @Test("only failures after which the venue may have acted count as unclear")
    func unclearOutcomes() {
        #expect(HyperliquidClientError.httpStatus(502, detail: "").isUnclearOutcome)
        #expect(!HyperliquidClientError.httpStatus(422, detail: "").isUnclearOutcome)
        #expect(!HyperliquidClientError.rateLimited.isUnclearOutcome)
        #expect(!HyperliquidClientError.venueError("no").isUnclearOutcome)
    }
}
