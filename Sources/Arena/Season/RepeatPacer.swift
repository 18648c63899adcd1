import ArenaCore
import Synchronization

/// Keeps the repeats a season runs side by side within a small lead of the slowest one's progress.
///
/// Left to the cooperative executor, the repeats started first took more of the two cores than
/// the ones started last: in a year's season the last repeat finished its market 8 to 10 s after
/// the others and then ran, with its read-back and save, on one core while the other had nothing
/// to do. Paced, they finish together and their last work shares both cores.
///
/// Progress is the fraction of a repeat's window already stepped through, so repeats over
/// different windows keep the same pace too. The slowest repeat never waits, and a repeat that
/// ends (done or failed) stops counting, so nobody waits forever on one that will not move.
final class RepeatPacer: Sendable {
    private struct State {
        /// The progress of each repeat still running, from 0 to 1.
        var progress: [Int: Double]
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

        func isAhead(_ index: Int, lead: Double) -> Bool {
            guard let own = progress[index], let slowest = progress.values.min() else { return false }
            return own > slowest + lead
        }

        /// The waiting repeats no longer ahead, removed from the waiting.
        mutating func released(lead: Double) -> [CheckedContinuation<Void, Never>] {
            let ready = waiting.keys.filter { !isAhead($0, lead: lead) }
            return ready.compactMap { waiting.removeValue(forKey: $0) }
        }
    }

    /// How far, as a fraction of its window, a repeat may get ahead of the slowest.
    let lead: Double
    private let state: Mutex<State>

    /// Paces the repeats `indices`, each counted from the start (progress 0).
    init(repeats indices: some Sequence<Int>, lead: Double = 0.005) {
        self.lead = lead
        state = Mutex(State(progress: Dictionary(uniqueKeysWithValues: indices.map { ($0, 0) })))
    }

    /// Records that repeat `index` reached `fraction` of its window and returns once it is no
    /// further ahead of the slowest repeat than the lead.
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
