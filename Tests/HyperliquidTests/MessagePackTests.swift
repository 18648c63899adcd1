import Testing
@testable import Hyperliquid

@Suite("msgpack encoding")
struct MessagePackTests {
    // Expected bytes from Python msgpack 1.2.4 `packb`.
    @Test("integers take the smallest form, unsigned for non-negative values", arguments: [
        (WireValue.integer(0), "00"), (.integer(127), "7f"), (.integer(128), "cc80"), (.integer(255), "ccff"),
        (.integer(256), "cd0100"), (.integer(65535), "cdffff"), (.integer(65536), "ce00010000"),
        (.integer(4_294_967_295), "ceffffffff"), (.integer(4_294_967_296), "cf0000000100000000"),
        (.integer(Int64.max), "cf7fffffffffffffff"), (.unsignedInteger(9_223_372_036_854_775_808), "cf8000000000000000"),
        (.unsignedInteger(UInt64.max), "cfffffffffffffffff"),
        (.integer(-1), "ff"), (.integer(-32), "e0"), (.integer(-33), "d0df"), (.integer(-128), "d080"),
        (.integer(-129), "d1ff7f"), (.integer(-32768), "d18000"), (.integer(-32769), "d2ffff7fff"),
        (.integer(-2_147_483_648), "d280000000"), (.integer(-2_147_483_649), "d3ffffffff7fffffff"),
        (.integer(Int64.min), "d38000000000000000"),
    ])
    func integers(value: WireValue, expected: String) {
        #expect(Hex.encode(value.messagePack()) == expected)
    }

    @Test("nil, booleans and UTF-8 strings")
    func scalars() {
        #expect(Hex.encode(WireValue.array([.null, .bool(true), .bool(false)]).messagePack()) == "93c0c3c2")
        #expect(Hex.encode(WireValue.string("é€😀").messagePack()) == "a9c3a9e282acf09f9880")
    }

    @Test("string headers switch from fixstr to str8, str16 and str32 at 32, 256 and 65536 bytes", arguments: [
        (0, "a0"), (31, "bf"), (32, "d920"), (255, "d9ff"), (256, "da0100"), (65535, "daffff"), (65536, "db00010000"),
    ])
    func stringHeaders(length: Int, header: String) {
        let encoded = WireValue.string(String(repeating: "x", count: length)).messagePack()
        #expect(Hex.encode(encoded.prefix(header.count / 2)) == header)
        #expect(encoded.count == header.count / 2 + length)
    }

    @Test("array headers switch from fixarray to array16 and array32 at 16 and 65536 elements", arguments: [
        (0, "90"), (15, "9f"), (16, "dc0010"), (65535, "dcffff"), (65536, "dd00010000"),
    ])
    func arrayHeaders(count: Int, header: String) {
        let encoded = WireValue.array(Array(repeating: .null, count: count)).messagePack()
        #expect(Hex.encode(encoded.prefix(header.count / 2)) == header)
        #expect(encoded.count == header.count / 2 + count)
    }

    @Test("maps keep the given key order and switch to map16 at 16 entries")
    func maps() {
        let fifteen = WireValue.map((0..<15).map { (String($0), WireValue.bool(true)) })
        #expect(Hex.encode(fifteen.messagePack().prefix(5)) == "8fa130c3a1")
        #expect(fifteen.messagePack().count == 51)
        let sixteen = WireValue.map((0..<16).map { (String($0), WireValue.bool(true)) })
        #expect(Hex.encode(sixteen.messagePack().prefix(5)) == "de0010a130")
        #expect(sixteen.messagePack().count == 57)
        let forward = WireValue.map([("a", .integer(1)), ("b", .integer(2))]).messagePack()
        let backward = WireValue.map([("b", .integer(2)), ("a", .integer(1))]).messagePack()
        #expect(forward != backward)
    }

    @Test("every fixture action encodes to the SDK's msgpack bytes", arguments: SigningVectors.all.filter { $0.kind == "l1" })
    func fixtureActions(vector: SigningVectors.Vector) throws {
        let expected = try #require(vector.actionMessagePackHex)
        #expect(hex(vector.action.messagePack()) == expected)
    }
}
