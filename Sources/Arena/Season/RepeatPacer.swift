import ArenaCore
import Synchronization

/// Keeps the repeats a season runs side by side in a formation: each within a small lead of its
/// place, the first repeat furthest ahead and the last one behind, so that they finish one after
/// another.
///
/// Left to the cooperative executor, the repeats started first took more of the two cores than
/// the ones started last: in a year's season the last repeat finished its market 8 to 10 s after
/// the others and then ran, with its read-back and save, on one core while the other had nothing
/// to do. Kept abreast, they finished together, and their last work (indexes, read-back, checksum:
/// about a sixth of a repeat's work, on one core each) then queued on the two cores for several
/// seconds. In formation, a repeat's last work runs while the repeats behind it still step their
/// markets, and only the last repeat's is left at the end.
///
/// Progress is the fraction of a repeat's window already stepped through, so repeats over
/// different windows keep the same pace too. The formation opens gradually (fully once the
/// slowest repeat is halfway through), so that every repeat runs from the start. The repeat
/// furthest behind its place never waits, and a repeat that ends (done or failed) stops counting,
/// so nobody waits forever on one that will not move.
final class RepeatPacer: Sendable {
    private struct State {
        /// The progress of each repeat still running, from 0 to 1.
        var progress: [Int: Double]
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        /// How far ahead of the last repeat each repeat's place is, once the formation is open.
        let place: [Int: Double]

        /// How far the formation is open, 0 to 1: by the slowest running repeat's progress.
        var opening: Double {
            min(1, (progress.values.min() ?? 1) / RepeatPacer.openedAtProgress)
        }

        /// Progress measured from a repeat's place in the formation.
        func behindPlace(_ index: Int, opening: Double) -> Double? {
            progress[index].map { $0 - (place[index] ?? 0) * opening }
        }

        func isAhead(_ index: Int, lead: Double) -> Bool {
            let opening = opening
            guard let own = behindPlace(index, opening: opening),
                  let furthestBehind = progress.keys.compactMap({ behindPlace($0, opening: opening) }).min() else { return false }
            return own > furthestBehind + lead
        }

        /// The waiting repeats no longer ahead, removed from the waiting.
        mutating func released(lead: Double) -> [CheckedContinuation<Void, Never>] {
            let ready = waiting.keys.filter { !isAhead($0, lead: lead) }
            return ready.compactMap { waiting.removeValue(forKey: $0) }
        }
    }

    /// The slowest repeat's progress at which the formation is fully open.
    static let openedAtProgress = 0.5

    /// How far, as a fraction of its window, a repeat may get ahead of its place.
    let lead: Double
    private let state: Mutex<State>

    /// Paces the repeats `indices`, each counted from the start (progress 0), in formation: the
    /// first `gap` of its window (at most a quarter in all) ahead of the second, and so on.
    ///
    /// The default gap: a repeat's last work is about a sixth of its market's, so while one repeat
    /// does it, those behind (on both cores, shared with it) step about 4% of their windows.
    init(repeats indices: [Int], lead: Double = 0.005, gap: Double = 0.04) {
        self.lead = lead
        let gap = indices.count > 1 ? min(gap, 0.25 / Double(indices.count - 1)) : 0
        let place = Dictionary(uniqueKeysWithValues: indices.enumerated().map { ($1, Double(indices.count - 1 - $0) * gap) })
        state = Mutex(State(progress: Dictionary(uniqueKeysWithValues: indices.map { ($0, 0) }), place: place))
    }

    /// Records that repeat `index` reached `fraction` of its window and returns once it is no
    /// further ahead of its place than the lead.
    func advance(_ index: Int, to fraction: Double) async {
        let (ready, isAhead) = state.withLock { state in
            if state.progress[index] != nil { state.progress[index] = fraction }
            return (state.released(lead: lead), state.isAhead(index, lead: lead))
        }
        for continuation in ready { continuation.resume() }
        guard isAhead else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let goesOn = state.withLock { state in
                guard state.isAhead(index, lead: lead) else { return true }
                state.waiting[index] = continuation
                return false
            }
            if goesOn { continuation.resume() }
        }
    }

    /// What repeat `index`, whose window runs from `first` to `last`, awaits before each market step.
    func pace(_ index: Int, from first: Timestamp, to last: Timestamp) -> @Sendable (Timestamp) async -> Void {
        let length = Double(max(1, last.milliseconds - first.milliseconds))
        return { time in await self.advance(index, to: Double(time.milliseconds - first.milliseconds) / length) }
    }

    /// Repeat `index` has ended: it no longer holds anyone back.
    func finish(_ index: Int) {
        let ready = state.withLock { state in
            state.progress[index] = nil
            return state.released(lead: lead)
        }
        for continuation in ready { continuation.resume() }
    }
}
