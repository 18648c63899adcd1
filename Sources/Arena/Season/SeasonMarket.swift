import ArenaCore
import Market
import Synchronization

/// A season's market in one repeat: the replay seeded with the repeat's seed, cut to the repeat's
/// window, reporting how far it has gone.
struct SeasonMarketSource: MarketSource {
    private var replay: CSVReplayMarket
    private let start: Timestamp?
    private let end: Timestamp?
    private let position: MarketPosition

    init(replay: CSVReplayMarket, start: Timestamp?, end: Timestamp?, position: MarketPosition) {
        self.replay = replay
        self.start = start
        self.end = end
        self.position = position
    }

    var description: String { replay.description }
    var symbols: [Symbol] { replay.symbols }
    var instruments: [Symbol: Instrument] { replay.instruments }

    mutating func next() throws -> MarketSnapshot? {
        while let snapshot = try replay.next() {
            if let start, snapshot.time < start { continue }
            if let end, snapshot.time > end { return nil }
            position.reach(snapshot.time)
            return snapshot
        }
        return nil
    }

    /// The first and last market times of the replay within a window, or nil when none falls in it.
    static func span(of replay: CSVReplayMarket, start: Timestamp?, end: Timestamp?) throws -> (first: Timestamp, last: Timestamp)? {
        var probe = replay
        var first: Timestamp?
        var last: Timestamp?
        while let snapshot = try probe.next() {
            if let start, snapshot.time < start { continue }
            if let end, snapshot.time > end { break }
            if first == nil { first = snapshot.time }
            last = snapshot.time
        }
        guard let first, let last else { return nil }
        return (first, last)
    }
}

/// The market time a repeat has reached, read by the progress bar.
final class MarketPosition: Sendable {
    private let milliseconds = Atomic<Int64>(Int64.min)

    func reach(_ time: Timestamp) { milliseconds.store(time.milliseconds, ordering: .relaxed) }

    var time: Timestamp? {
        let value = milliseconds.load(ordering: .relaxed)
        return value == Int64.min ? nil : Timestamp(milliseconds: value)
    }
}

/// A wall clock stopped at one market time: what a season stamps where the arena would write the
/// real time (an account's creation), so that reruns write the same rows.
struct FrozenClock: WallClock {
    let time: Timestamp

    func now() -> Timestamp { time }
}
