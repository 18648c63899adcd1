import CCurl
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns the libcurl multi handle and the one thread that drives it.
///
/// `@unchecked Sendable` because of the multi handle pointer: every libcurl call on it happens on
/// the curl thread, except `curl_multi_wakeup`, which libcurl documents as safe from any thread.
/// The handle is freed in `deinit`, which runs only after the curl thread (which holds a strong
/// reference) has exited and every submitter has let go, so no wake-up can reach a freed handle.
/// All other shared state sits behind a `Mutex`.
final class CurlEngine: @unchecked Sendable {
    struct Settings: Sendable {
        var maximumResponseHeaderBytes: Int
        var acceptsCompressedResponses: Bool
        var userAgent: String
        var maximumIdleEasyHandles: Int
        var maximumCachedConnections: Int
    }

    struct Inbox {
        var submissions: [Transfer] = []
        var cancellations: [Transfer] = []
        var isShutDown = false
    }

    let multi: UnsafeMutableRawPointer
    let settings: Settings
    private let inbox = Mutex(Inbox())
    /// Transfers currently added to the multi handle; read by tests to check that none leak.
    let activeTransferCount = Atomic<Int>(0)
    /// Set by the curl thread when its loop has ended.
    let hasStopped = Atomic<Bool>(false)

    init(settings: Settings) throws(HTTPClientError) {
        CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else {
            throw HTTPClientError(code: .transportFailure, target: nil, detail: "libcurl could not create a multi handle")
        }
        self.multi = multi
        self.settings = settings
        _ = CCurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, settings.maximumCachedConnections)
        try startThread()
    }

    deinit {
        curl_multi_cleanup(multi)
    }

    /// Queues a transfer for the curl thread, or fails it at once after shutdown.
    func submit(_ transfer: Transfer) {
        let accepted: Bool = inbox.withLock { inbox in
            guard !inbox.isShutDown else { return false }
            inbox.submissions.append(transfer)
            return true
        }
        if accepted {
            curl_multi_wakeup(multi)
        } else {
            transfer.finish(.failure(HTTPClientError(code: .clientShutDown, target: transfer.target, detail: "the HTTP client was shut down")))
        }
    }

    /// Asks the curl thread to remove a cancelled transfer from the multi handle.
    func cancel(_ transfer: Transfer) {
        let queued: Bool = inbox.withLock { inbox in
            guard !inbox.isShutDown else { return false }
            inbox.cancellations.append(transfer)
            return true
        }
        if queued {
            curl_multi_wakeup(multi)
        }
    }

    /// Fails every pending transfer with `clientShutDown` and ends the curl thread.
    func shutdown() {
        let first: Bool = inbox.withLock { inbox in
            defer { inbox.isShutDown = true }
            return !inbox.isShutDown
        }
        if first {
            curl_multi_wakeup(multi)
        }
    }

    func takeInbox() -> Inbox {
        inbox.withLock { inbox in
            let taken = inbox
            inbox.submissions.removeAll()
            inbox.cancellations.removeAll()
            return taken
        }
    }

    private func startThread() throws(HTTPClientError) {
        final class Body {
            let run: @Sendable () -> Void
            init(run: @escaping @Sendable () -> Void) { self.run = run }
        }
        let body = Unmanaged.passRetained(Body { [self] in
            CurlLoop(engine: self).run()
        })
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let result = pthread_create(&thread, nil, { context in
            #if canImport(Glibc)
            guard let context else { return nil }
            #endif
            let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
            body.run()
            return nil
        }, body.toOpaque())
        guard result == 0 else {
            body.release()
            throw HTTPClientError(code: .transportFailure, target: nil, detail: "the curl thread could not be started (error \(result))")
        }
        #if canImport(Glibc)
        pthread_detach(thread)
        #else
        if let thread { pthread_detach(thread) }
        #endif
    }
}
