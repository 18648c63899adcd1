import Testing
@testable import Hyperliquid

/// What the audit reads out of the bodies sent to and received from the venue.
@Suite("venue request summaries for the audit")
struct VenueRequestSummaryTests {
    @Test("a signed order body gives its type, client order id, nonce and the keccak of r ‖ s ‖ v, not the signature")
    func signedOrder() throws {
        let vector = SigningVectors.named("S01_order_gtc_eth_cloid_testnet")
        let body = Array(SigningVectors.json(vector.postBody).utf8)
        let summary = VenueRequestSummary.request(body)
        #expect(summary.type == "order")
        #expect(summary.clientOrderIDs == ["0x0000000000000000000000000000abcd"])
        #expect(summary.nonce == vector.nonce)
        #expect(summary.vault == nil)
        let rsv = try #require(Hex.decode("8ceef96471a1fea80cb67d6eacbeff1c20c9891d98c85dfb373e02485dfeaf8c"
            + "105086d215375c97051c51022e51d7c5e395792a937260bf61ecfd28d1a106631b"))
        #expect(summary.signatureHash == Hex.prefixed(Keccak256.hash(rsv)))
        #expect(summary.signatureHash?.contains("8ceef964") == false)
    }

    @Test("cancels by client order id and modifies name their client order ids; info bodies their type")
    func otherBodies() {
        let cancel = #"{"action":{"type":"cancelByCloid","cancels":[{"asset":0,"cloid":"0x01"},{"asset":1,"cloid":"0x02"}]},"nonce":5,"signature":{"r":"0x1","s":"0x2","v":28},"vaultAddress":"0xAB","expiresAfter":null}"#
        let summary = VenueRequestSummary.request(Array(cancel.utf8))
        #expect(summary.type == "cancelByCloid" && summary.clientOrderIDs == ["0x01", "0x02"] && summary.nonce == 5 && summary.vault == "0xab")
        #expect(summary.signatureHash != nil)
        let modify = #"{"action":{"type":"batchModify","modifies":[{"oid":1,"order":{"a":0,"c":"0x03"}}]},"nonce":6,"signature":{"r":"0x1","s":"0x2","v":27}}"#
        #expect(VenueRequestSummary.request(Array(modify.utf8)).clientOrderIDs == ["0x03"])
        let info = VenueRequestSummary.request(Array(#"{"type":"clearinghouseState","user":"0xabc"}"#.utf8))
        #expect(info.type == "clearinghouseState" && info.nonce == nil && info.signatureHash == nil && info.clientOrderIDs.isEmpty)
    }

    @Test("exchange answers give the venue's status and words: a refusal, refused orders, a non-JSON body")
    func answers() {
        #expect(VenueRequestSummary.exchangeAnswer(Array(#"{"status":"err","response":"Invalid nonce"}"#.utf8)) == ("err", "Invalid nonce"))
        let mixed = #"{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":1}},{"error":"Order has invalid size."}]}}}"#
        #expect(VenueRequestSummary.exchangeAnswer(Array(mixed.utf8)) == ("ok", "1: Order has invalid size."))
        #expect(VenueRequestSummary.exchangeAnswer(Array(#"{"status":"ok","response":{"type":"default"}}"#.utf8)) == ("ok", nil))
        #expect(VenueRequestSummary.exchangeAnswer(Array("internal error".utf8)) == (nil, "internal error"))
    }
}
