import Synchronization
import Testing
@testable import HTTP

/// Shared counters for the tasks of one test.
private final class Recorder: Sendable {
    let order = Mutex<[Int]>([])
    let inside = Atomic<Int>(0)
    let maximumInside = Atomic<Int>(0)
}

@Suite("AsyncSemaphore")
struct AsyncSemaphoreTests {
    /// Waits until the semaphore has this many suspended waiters.
    private func waitForWaiters(_ semaphore: AsyncSemaphore, _ count: Int) async throws {
        for _ in 0..<500 where semaphore.waitingCount != count {
            try await Task.sleep(for: .milliseconds(2))
        }
        try #require(semaphore.waitingCount == count)
    }

    @Test("waiters get permits in arrival order")
    func firstInFirstOut() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        try await semaphore.acquire()
        let recorder = Recorder()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<5 {
                group.addTask {
                    try await semaphore.acquire()
                    recorder.order.withLock { $0.append(index) }
                    semaphore.release()
                }
                try await waitForWaiters(semaphore, index + 1)
            }
            semaphore.release()
            try await group.waitForAll()
        }
        #expect(recorder.order.withLock { $0 } == [0, 1, 2, 3, 4])
        #expect(semaphore.availablePermits == 1)
    }

    @Test("a cancelled waiter leaves the queue and the permit goes to the next")
    func cancelledWaiter() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        try await semaphore.acquire()
        let cancelled = Task { try await semaphore.acquire() }
        try await waitForWaiters(semaphore, 1)
        let second = Task {
            try await semaphore.acquire()
            semaphore.release()
        }
        try await waitForWaiters(semaphore, 2)
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(semaphore.waitingCount == 1)
        semaphore.release()
        try await second.value
        #expect(semaphore.availablePermits == 1)
    }

    @Test("a task cancelled before it asks gets no permit")
    func cancelledBeforeAcquire() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await semaphore.acquire()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(semaphore.availablePermits == 1)
    }

    @Test("permits are conserved under many racing acquisitions and cancellations")
    func racingCancellations() async throws {
        let semaphore = AsyncSemaphore(permits: 3)
        let recorder = Recorder()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<300 {
                group.addTask {
                    let task = Task {
                        try await semaphore.withPermit {
                            let now = recorder.inside.add(1, ordering: .relaxed).newValue
                            recorder.maximumInside.max(now, ordering: .relaxed)
                            try? await Task.sleep(for: .microseconds(200))
                            recorder.inside.subtract(1, ordering: .relaxed)
                        }
                    }
                    if index.isMultiple(of: 3) { task.cancel() }
                    _ = await task.result
                }
            }
        }
        #expect(recorder.maximumInside.load(ordering: .relaxed) <= 3)
        #expect(semaphore.availablePermits == 3)
        #expect(semaphore.waitingCount == 0)
    }
}
