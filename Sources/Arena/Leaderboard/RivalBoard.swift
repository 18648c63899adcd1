import ArenaCore
import Drivers
import Synchronization

/// Every account's return and open positions as it last published them, for the rankings that
/// `aware` prompts show. The runtime takes one `StandingsTable` per market step (after every
/// account has seen the step), so that all accounts deciding at that step see the same table and
/// a replay sees it again.
public final class RivalBoard: Sendable {
    struct Line: Sendable {
        var id: AccountID
        var name: String
        var returnPercent: Double
        var positions: [Position]
    }

    /// What an account last published: kept as it came (the positions unsorted, the return not yet
    /// computed), because accounts publish after every change and a table is taken far less often.
    private struct Published: Sendable {
        var id: AccountID
        var name: String
        var equity: FixedDecimal
        var initialCapital: FixedDecimal
        var positions: [Symbol: Position]

        var line: Line {
            Line(id: id, name: name,
                 returnPercent: LeaderboardEntry.returnPercent(equity: equity, initialCapital: initialCapital),
                 positions: positions.values.filter { !$0.isFlat }.sorted { $0.symbol < $1.symbol })
        }
    }

    private let published = Mutex<[AccountID: Published]>([:])

    public init() {}

    /// Replaces an account's line.
    func update(id: AccountID, name: String, equity: FixedDecimal, initialCapital: FixedDecimal, positions: [Symbol: Position]) {
        published.withLock {
            $0[id] = Published(id: id, name: name, equity: equity, initialCapital: initialCapital, positions: positions)
        }
    }

    /// Removes an account's line (archived accounts).
    func remove(_ id: AccountID) {
        _ = published.withLock { $0.removeValue(forKey: id) }
    }

    /// The ranking now: best return first, ties by account id (as the leaderboard ranks).
    public func table() -> StandingsTable {
        let sorted = published.withLock { Array($0.values) }.map(\.line).sorted { a, b in
            a.returnPercent != b.returnPercent ? a.returnPercent > b.returnPercent : a.id < b.id
        }
        return StandingsTable(lines: sorted)
    }
}

/// The arena's ranking at one market step, shared by every account deciding at it.
public struct StandingsTable: Sendable {
    /// Rivals shown to one account: the best-ranked others, enough to see the field's leaders
    /// without a prompt that grows with the arena.
    public static let rivalLimit = 20

    let lines: [RivalBoard.Line]
    private let places: [AccountID: Int]

    init(lines: [RivalBoard.Line]) {
        self.lines = lines
        var places: [AccountID: Int] = [:]
        places.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() { places[line.id] = index }
        self.places = places
    }

    /// Where `id` stands and its best-ranked rivals (at most `limit`); nil for an account not ranked.
    public func ranking(for id: AccountID, limit: Int = StandingsTable.rivalLimit) -> ArenaRanking? {
        guard let place = places[id] else { return nil }
        var rivals: [ArenaRanking.Rival] = []
        rivals.reserveCapacity(min(limit, lines.count))
        for (index, line) in lines.enumerated() where line.id != id {
            if rivals.count >= limit { break }
            rivals.append(ArenaRanking.Rival(rank: index + 1, name: line.name, returnPercent: line.returnPercent, positions: line.positions))
        }
        return ArenaRanking(rank: place + 1, accountCount: lines.count, rivals: rivals)
    }
}
