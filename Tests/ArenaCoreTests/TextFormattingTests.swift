import Testing
@testable import ArenaCore

/// The ledger stores decimals and client order ids as text: these pin the text down.
@Suite("Text of decimals and client order ids")
struct TextFormattingTests {
    /// The decimal text as it was first written: whole part, then the fraction padded to its
    /// significant digits. The faster `description` must agree with it on every value.
    static func referenceText(_ value: FixedDecimal) -> String {
        let negative = value.raw < 0
        let magnitude = value.raw.magnitude
        let whole = magnitude / UInt64(FixedDecimal.unit)
        var fraction = magnitude % UInt64(FixedDecimal.unit)
        var text = negative ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = FixedDecimal.scale
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }

    @Test("decimal text matches the reference on edge values", arguments: [
        Int64.min, Int64.min + 1, Int64.max, 0, 1, -1, 10, 99_999_999, 100_000_000, -100_000_000, 100_000_001,
        123_456_789_012, -50_000_000, 4_500_045, 10_000_000_000_000, 9_223_372_036_854_775_800,
    ])
    func edgeValues(_ raw: Int64) {
        let value = FixedDecimal(raw: raw)
        #expect(value.description == Self.referenceText(value))
    }

    @Test("decimal text matches the reference on a million seeded values of every magnitude")
    func seededValues() {
        var random = SeededGenerator(seed: 11)
        for index in 0..<1_000_000 {
            // Shifting spreads the values over every number of digits, trailing zeros included.
            var raw = Int64(bitPattern: random.next()) >> (random.next() % 63)
            if index % 3 == 0 { raw = raw / 1_000 * 1_000 }
            let value = FixedDecimal(raw: raw)
            let text = value.description
            guard text == Self.referenceText(value) else {
                Issue.record("raw \(raw): \(text) instead of \(Self.referenceText(value))")
                return
            }
            if raw.magnitude < UInt64(FixedDecimal.parseLimit) * UInt64(FixedDecimal.unit) {
                #expect(FixedDecimal(text) == value)
            }
        }
    }

    @Test("client order ids read any case and always write 0x and 32 lowercase digits")
    func clientOrderIDText() throws {
        let mixed = try #require(ClientOrderID(hex: "0XFFFFFFFFFFFFFFFF00000000000000aB"))
        #expect(mixed.hex == "0xffffffffffffffff00000000000000ab")
        #expect(mixed == ClientOrderID(account: AccountID(-1), sequence: 0xAB))
        #expect(ClientOrderID(account: AccountID(Int64.max), sequence: .max).hex == "0x7fffffffffffffffffffffffffffffff")
        #expect(ClientOrderID(account: AccountID(0), sequence: 0).description == "0x00000000000000000000000000000000")
        for bad in ["0x", "0xg0000000000000000000000000000000", "00x000000000000000000000000000000",
                    "0x000000000000000000000000000000000", "0x+0000000000000000000000000000000"] {
            #expect(ClientOrderID(hex: bad) == nil, "\(bad)")
        }
        var random = SeededGenerator(seed: 3)
        var seen = Set<ClientOrderID>()
        for _ in 0..<10_000 {
            let id = ClientOrderID(account: AccountID(Int64(bitPattern: random.next())), sequence: random.next())
            let parsed = try #require(ClientOrderID(hex: id.hex))
            #expect(parsed == id)
            #expect(parsed.hex == id.hex)
            #expect(seen.insert(id).inserted)
            #expect(seen.contains(parsed))
        }
    }
}
