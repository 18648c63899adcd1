import Hummingbird
import Synchronization

/// Encoded responses kept for a short time, so a popular read such as the leaderboard is encoded
/// a few times a second however many clients ask, and never served older than `lifetime`.
final class ResponseCache: Sendable {
    private struct Entry {
        let expires: ContinuousClock.Instant
        let body: ByteBuffer
    }

    private let entries = Mutex<[String: Entry]>([:])
    let lifetime: Duration
    /// Distinct keys kept at most; past it the cache starts over.
    let capacity: Int

    init(lifetime: Duration, capacity: Int = 256) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The body cached under `key`, or the one `make` builds (and caches).
    func body(for key: String, make: () throws -> String) rethrows -> ByteBuffer {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.expires > now { return entry.body }
        let body = ByteBuffer(string: try make())
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(expires: now + lifetime, body: body)
        }
        return body
    }
}

/// A JSON body already encoded.
struct EncodedJSONResponse: ResponseGenerator {
    let body: ByteBuffer

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: body))
    }
}
