import CompressNIO
import Hummingbird
import Synchronization

/// Encoded responses kept for a short time, so a popular read such as the leaderboard is encoded
/// (and compressed) a few times a second however many clients ask, and never served older than
/// `lifetime`.
final class ResponseCache: Sendable {
    private struct Entry {
        let expires: ContinuousClock.Instant
        let body: EncodedBody
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
    func body(for key: String, make: () throws -> String) rethrows -> EncodedBody {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.expires > now { return entry.body }
        let body = EncodedBody(json: try make())
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(expires: now + lifetime, body: body)
        }
        return body
    }
}

/// A JSON body encoded once, with its gzip form for the clients that accept it.
struct EncodedBody: Sendable {
    let plain: ByteBuffer
    /// Nil when compressing failed or would not make the body smaller.
    let gzipped: ByteBuffer?

    /// Bodies smaller than this go uncompressed: the saving would not pay for the work.
    static let compressionThreshold = 1_024

    init(json: String) {
        let plain = ByteBuffer(string: json)
        self.plain = plain
        guard plain.readableBytes >= Self.compressionThreshold else {
            gzipped = nil
            return
        }
        var input = plain
        // Level 6: most of the best ratio at a fraction of its cost, paid a few times a second.
        let compressed = try? input.compress(with: .gzip(configuration: .init(compressionLevel: .compressionLevel6)))
        gzipped = compressed.flatMap { $0.readableBytes < plain.readableBytes ? $0 : nil }
    }
}

/// A JSON body already encoded: gzip when the request's Accept-Encoding allows it.
struct EncodedJSONResponse: ResponseGenerator {
    let body: EncodedBody

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store", .vary: "Accept-Encoding"]
        if let gzipped = body.gzipped, Self.acceptsGzip(request.headers[values: .acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body.plain))
    }

    /// Whether an Accept-Encoding header lists gzip (or `*`) without `q=0`.
    static func acceptsGzip(_ values: [String]) -> Bool {
        for value in values {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let coding = parts.first, coding == "gzip" || coding == "*" else { continue }
                let refused = parts.dropFirst().contains { parameter in
                    parameter.hasPrefix("q=") && (Double(parameter.dropFirst(2)) ?? 1) == 0
                }
                if !refused { return true }
            }
        }
        return false
    }
}
