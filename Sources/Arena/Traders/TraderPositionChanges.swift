import ArenaCore
import Storage

/// Turns what a trader held before and after into the events `OPEN`, `CLOSE`, `INCREASE`,
/// `DECREASE` and `FLIP`: pure functions over positions, shared by the looks and the fills.
public enum TraderPositionChanges {
    /// The event of one coin going from signed size `before` to `after`, or nil when the size did not change.
    public static func event(traderID: Int64, address: String, symbol: Symbol, before: FixedDecimal, after: FixedDecimal,
                             entryPrice: FixedDecimal?, time: Timestamp, source: TraderEventSource) -> TraderEventRecord? {
        guard before != after else { return nil }
        let kind: TraderEventKind
        if before == .zero {
            kind = .open
        } else if after == .zero {
            kind = .close
        } else if (before > .zero) != (after > .zero) {
            kind = .flip
        } else {
            kind = abs(after) > abs(before) ? .increase : .decrease
        }
        let isLong = kind == .close ? before > .zero : after > .zero
        return TraderEventRecord(traderID: traderID, address: address, kind: kind, symbol: symbol, isLong: isLong, size: abs(after),
                                 previousSize: before, entryPrice: entryPrice, time: time, source: source)
    }

    /// The events between two complete sets of positions, by coin name.
    public static func events(traderID: Int64, address: String, before: [TraderPositionRecord], after: [TraderPositionRecord],
                              time: Timestamp, source: TraderEventSource) -> [TraderEventRecord] {
        let old = Dictionary(before.map { ($0.symbol, $0) }, uniquingKeysWith: { _, last in last })
        let new = Dictionary(after.map { ($0.symbol, $0) }, uniquingKeysWith: { _, last in last })
        return Set(old.keys).union(new.keys).sorted().compactMap { symbol in
            let next = new[symbol]
            return event(traderID: traderID, address: address, symbol: symbol, before: old[symbol]?.size ?? .zero,
                         after: next?.size ?? .zero, entryPrice: next?.entryPrice ?? old[symbol]?.entryPrice, time: time, source: source)
        }
    }

    /// Replays fills (oldest first) over the stored positions: the events they show and the
    /// positions they leave, for the coins they touched. A fill whose starting position differs
    /// from what was stored starts from the fill's (the venue knows better; the gap is not an event).
    public static func replay(fills: [UserFill], over positions: [TraderPositionRecord], traderID: Int64, address: String)
        -> (events: [TraderEventRecord], positions: [TraderPositionRecord]) {
        var current = Dictionary(positions.map { ($0.symbol, $0) }, uniquingKeysWith: { _, last in last })
        var touched = Set<Symbol>()
        var events: [TraderEventRecord] = []
        for fill in fills.sorted(by: { ($0.fill.time, $0.fill.tradeID) < ($1.fill.time, $1.fill.tradeID) }) {
            let symbol = fill.fill.symbol
            let start = fill.startPosition ?? current[symbol]?.size ?? .zero
            let after = start + (fill.fill.isBuy ? fill.fill.size : -fill.fill.size)
            let previousEntry = current[symbol]?.entryPrice
            let entry: FixedDecimal?
            if after == .zero {
                entry = previousEntry
            } else if start == .zero || (start > .zero) != (after > .zero) {
                entry = fill.fill.price
            } else if abs(after) > abs(start), let previousEntry {
                entry = ((previousEntry * abs(start) + fill.fill.price * fill.fill.size) / abs(after)).rounded(decimals: 6)
            } else {
                entry = previousEntry ?? fill.fill.price
            }
            if let event = event(traderID: traderID, address: address, symbol: symbol, before: start, after: after, entryPrice: entry,
                                 time: fill.fill.time, source: .fills) {
                events.append(event)
            }
            current[symbol] = TraderPositionRecord(symbol: symbol, size: after, entryPrice: after == .zero ? nil : entry)
            touched.insert(symbol)
        }
        return (events, touched.sorted().compactMap { current[$0] })
    }

    /// A fill with the signed position before it, as `userFillsByTime` reports it.
    public struct UserFill: Sendable, Hashable {
        public var fill: TraderFillRecord
        public var startPosition: FixedDecimal?

        public init(fill: TraderFillRecord, startPosition: FixedDecimal?) {
            self.fill = fill
            self.startPosition = startPosition
        }
    }
}

private func abs(_ value: FixedDecimal) -> FixedDecimal { value < .zero ? -value : value }
