import Arena
import ArenaCore
import Drivers
import Storage
import Testing

@Suite("trader position changes")
struct TraderPositionChangesTests {
    @Test("a size change is named by what it did", arguments: [
        ("0", "1", TraderEventKind.open, true), ("0", "-1", .open, false), ("1", "0", .close, true), ("-2", "0", .close, false),
        ("1", "1.5", .increase, true), ("-1", "-1.5", .increase, false), ("1.5", "1", .decrease, true), ("-1.5", "-0.5", .decrease, false),
        ("1", "-1", .flip, false), ("-1", "2", .flip, true),
    ])
    func kinds(before: String, after: String, kind: TraderEventKind, isLong: Bool) throws {
        let symbol = try #require(Symbol("BTC"))
        let old = try #require(FixedDecimal(before))
        let new = try #require(FixedDecimal(after))
        let event = try #require(TraderPositionChanges.event(
            traderID: 1, address: "0x" + String(repeating: "a", count: 40), symbol: symbol, before: old, after: new, entryPrice: nil,
            time: Timestamp(milliseconds: 1), source: .poll))
        #expect(event.kind == kind)
        #expect(event.isLong == isLong)
    }

    @Test("an unchanged size is no event")
    func unchanged() throws {
        let size = try #require(FixedDecimal("0.5"))
        let symbol = try #require(Symbol("ETH"))
        #expect(TraderPositionChanges.event(traderID: 1, address: "0x", symbol: symbol, before: size, after: size,
                                            entryPrice: nil, time: Timestamp(milliseconds: 1), source: .poll) == nil)
    }

    @Test("a malformed address is refused with the reason", arguments: [
        ("abc", "must start with 0x"), ("0x123", "has 3 hex digits"), ("0x" + String(repeating: "g", count: 40), "only 0-9 and a-f"),
    ])
    func addresses(text: String, reason: String) {
        #expect(throws: ArenaError.self) { try TraderAddress.parse(text) }
        do { _ = try TraderAddress.parse(text) } catch { #expect("\(error)".contains(reason)) }
    }

    @Test("an address is stored in lower case")
    func lowercase() throws {
        #expect(try TraderAddress.parse("0x" + String(repeating: "AB", count: 20)) == "0x" + String(repeating: "ab", count: 20))
    }
}
