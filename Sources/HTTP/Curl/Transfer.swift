import Synchronization

/// One attempt shared between the calling task and the curl thread. Its state machine makes the
/// continuation resume exactly once, whichever comes first: completion on the curl thread,
/// cancellation of the task (also before the attempt started), or shutdown.
final class Transfer: Sendable {
    private enum State {
        /// Created; the continuation is not registered yet.
        case created
        /// Registered and handed to the curl thread.
        case running(CheckedContinuation<HTTPResponse, any Error>)
        /// The task was cancelled before the continuation was registered.
        case cancelledBeforeStart
        /// The continuation has been resumed.
        case finished
    }

    let request: HTTPRequest
    let target: RequestTarget
    let maximumResponseBytes: Int
    private let state = Mutex(State.created)

    init(request: HTTPRequest, target: RequestTarget, maximumResponseBytes: Int) {
        self.request = request
        self.target = target
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Registers the continuation and hands the transfer to the engine, unless cancelled first.
    func start(_ continuation: CheckedContinuation<HTTPResponse, any Error>, engine: CurlEngine) {
        let shouldSubmit: Bool = state.withLock { state in
            switch state {
            case .created:
                state = .running(continuation)
                return true
            case .cancelledBeforeStart:
                state = .finished
                return false
            case .running, .finished:
                preconditionFailure("a transfer was started twice")
            }
        }
        if shouldSubmit {
            engine.submit(self)
        } else {
            continuation.resume(throwing: CancellationError())
        }
    }

    /// Resumes the caller with `CancellationError` at once and asks the curl thread to drop the
    /// transfer; the curl thread keeps its own references until it has removed the handle.
    func cancel(engine: CurlEngine) {
        let continuation: CheckedContinuation<HTTPResponse, any Error>? = state.withLock { state in
            switch state {
            case .created:
                state = .cancelledBeforeStart
                return nil
            case .running(let continuation):
                state = .finished
                return continuation
            case .cancelledBeforeStart, .finished:
                return nil
            }
        }
        if let continuation {
            engine.cancel(self)
            continuation.resume(throwing: CancellationError())
        }
    }

    /// Resumes the caller with the outcome, unless cancellation already did.
    func finish(_ outcome: Result<HTTPResponse, HTTPClientError>) {
        let continuation: CheckedContinuation<HTTPResponse, any Error>? = state.withLock { state in
            guard case .running(let continuation) = state else { return nil }
            state = .finished
            return continuation
        }
        continuation?.resume(with: outcome.mapError { $0 as any Error })
    }

    /// Whether the caller has already been resumed, so the curl thread can skip the work.
    var isFinished: Bool {
        state.withLock { state in
            if case .finished = state { true } else { false }
        }
    }
}
