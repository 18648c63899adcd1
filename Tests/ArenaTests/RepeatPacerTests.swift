@testable import Arena
import Synchronization
import Testing

@Suite("Repeat pacing")
struct RepeatPacerTests {
    /// Steps three repeats through their windows in thousandths, each in its own task, and returns
    /// every step each took, in the order the steps were taken.
    static func stepped(gap: Double) async -> [(index: Int, fraction: Double)] {
        let pacer = RepeatPacer(repeats: [0, 1, 2], lead: 0.005, gap: gap)
        let log = StepLog()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                group.addTask {
                    for step in 0...1_000 {
                        let fraction = Double(step) / 1_000
                        await pacer.advance(index, to: fraction)
                        log.steps.withLock { $0.append((index, fraction)) }
                        await Task.yield()
                    }
                    pacer.finish(index)
                }
            }
        }
        return log.steps.withLock { $0 }
    }

    final class StepLog: Sendable {
        let steps = Mutex<[(index: Int, fraction: Double)]>([])
    }

    @Test("repeats finish in formation: when the first is done, the last is two gaps behind, within the lead")
    func formation() async {
        let steps = await Self.stepped(gap: 0.04)
        let firstDone = steps.firstIndex { $0.index == 0 && $0.fraction == 1 }
        let middleDone = steps.firstIndex { $0.index == 1 && $0.fraction == 1 }
        let lastDone = steps.firstIndex { $0.index == 2 && $0.fraction == 1 }
        #expect(firstDone != nil && middleDone != nil && lastDone != nil)
        guard let firstDone, let middleDone, let lastDone else { return }
        #expect(firstDone < middleDone && middleDone < lastDone)
        // The last repeat's latest step when the first finished: its place is 0.08 behind, and it
        // may be up to the lead (0.005) off it either way, a step (0.001) more for the step in flight.
        let last = steps[..<firstDone].last { $0.index == 2 }?.fraction ?? 0
        #expect(last >= 0.914 && last <= 0.926, "the last repeat was at \(last)")
    }

    @Test("the formation opens gradually: early on the repeats go abreast")
    func opensGradually() async {
        let steps = await Self.stepped(gap: 0.04)
        // When the first repeat reached a tenth, the slowest was at least at 0.1 minus the lead,
        // and its place ahead (0.08 at most, opened by a fifth): no repeat stood still from the start.
        guard let early = steps.firstIndex(where: { $0.index == 0 && $0.fraction == 0.1 }) else {
            Issue.record("the first repeat never reached a tenth")
            return
        }
        for index in [1, 2] {
            let reached = steps[..<early].last { $0.index == index }?.fraction ?? 0
            #expect(reached >= 0.1 - 0.08 * 0.2 - 0.005 - 0.002, "repeat \(index) was at \(reached)")
        }
    }
}
