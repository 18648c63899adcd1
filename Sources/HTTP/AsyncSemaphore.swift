import Synchronization

/// A counting semaphore for tasks: waiters are served first in, first out, and a waiter whose
/// task is cancelled leaves the queue at once and throws `CancellationError`.
///
/// It is a class over a `Mutex` rather than an actor so that the cancellation handler can remove
/// its waiter synchronously, with no unstructured task and no window where a cancelled waiter
/// could still be handed a permit.
public final class AsyncSemaphore: Sendable {
    private enum Waiter {
        /// In the queue, not yet suspended.
        case registered
        /// Handed a permit before it suspended.
        case granted
        /// Cancelled before it suspended.
        case cancelled
        /// Suspended until a permit or cancellation.
        case waiting(CheckedContinuation<Void, any Error>)
    }

    private struct State {
        /// Free permits; positive only while no live waiter is queued.
        var available: Int
        var nextIdentifier: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Identifiers in arrival order; entries no longer live are skipped when met.
        var queue: [UInt64] = []
        var queueHead = 0

        /// Hands a permit to the oldest live waiter; returns its continuation if it is suspended,
        /// or whether anyone took the permit.
        mutating func handToOldestWaiter() -> (taken: Bool, continuation: CheckedContinuation<Void, any Error>?) {
            defer { compactIfNeeded() }
            while queueHead < queue.count {
                let identifier = queue[queueHead]
                queueHead += 1
                switch waiters[identifier] {
                case .waiting(let continuation):
                    waiters[identifier] = nil
                    return (true, continuation)
                case .registered:
                    waiters[identifier] = .granted
                    return (true, nil)
                case .granted, .cancelled, nil:
                    continue
                }
            }
            return (false, nil)
        }

        mutating func compactIfNeeded() {
            if queueHead == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
            } else if queueHead > 64, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
        }
    }

    private let state: Mutex<State>

    /// The number of permits, fixed at creation.
    public let permits: Int

    /// Creates a semaphore with this many permits (at least one).
    public init(permits: Int) {
        self.permits = max(1, permits)
        state = Mutex(State(available: max(1, permits)))
    }

    /// Waits for a permit; every successful call must be matched by one `release()`.
    /// - Throws: `CancellationError` when the task is cancelled before it gets a permit.
    public func acquire() async throws {
        try Task.checkCancellation()
        let identifier: UInt64? = state.withLock { state in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            let identifier = state.nextIdentifier
            state.nextIdentifier += 1
            state.waiters[identifier] = .registered
            state.queue.append(identifier)
            return identifier
        }
        guard let identifier else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, CancellationError>? = state.withLock { state in
                    switch state.waiters[identifier] {
                    case .registered:
                        state.waiters[identifier] = .waiting(continuation)
                        return nil
                    case .granted:
                        state.waiters[identifier] = nil
                        return .success(())
                    case .cancelled:
                        state.waiters[identifier] = nil
                        return .failure(CancellationError())
                    case .waiting, nil:
                        preconditionFailure("a semaphore waiter suspended twice")
                    }
                }
                if let outcome {
                    continuation.resume(with: outcome)
                }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                switch state.waiters[identifier] {
                case .registered:
                    state.waiters[identifier] = .cancelled
                    return nil
                case .waiting(let continuation):
                    state.waiters[identifier] = nil
                    return continuation
                case .granted, .cancelled, nil:
                    // Already holding a permit: acquire returns normally and the caller releases.
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Returns a permit, handing it to the oldest waiter if there is one.
    public func release() {
        let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
            let handed = state.handToOldestWaiter()
            if handed.taken {
                return handed.continuation
            }
            precondition(state.available < permits, "a semaphore was released more often than acquired")
            state.available += 1
            return nil
        }
        continuation?.resume()
    }

    /// Runs `body` while holding a permit.
    /// - Throws: `CancellationError` when cancelled while waiting, or what `body` throws.
    public func withPermit<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// The number of tasks waiting for a permit, for tests and metrics.
    public var waitingCount: Int {
        state.withLock { state in
            state.waiters.values.count { waiter in
                switch waiter {
                case .registered, .waiting: true
                case .granted, .cancelled: false
                }
            }
        }
    }

    /// The number of free permits, for tests and metrics.
    public var availablePermits: Int {
        state.withLock { $0.available }
    }
}
