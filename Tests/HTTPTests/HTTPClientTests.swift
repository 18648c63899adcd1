import ArenaTestSupport
import Foundation
import Testing
@testable import HTTP

/// A policy with short waits, so retry tests stay fast.
private func quickRetries(_ attempts: Int = 3) -> RetryPolicy {
    RetryPolicy(maximumAttempts: attempts, baseDelay: .milliseconds(10), maximumDelay: .milliseconds(50), random: { 0.5 })
}

/// Polls a condition every 10 ms for up to 3 seconds; the caller then asserts it.
private func waitUntil(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<300 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A listening socket that never accepts, with its accept queue filled so that further
/// connection attempts hang in the handshake.
private final class SilentListener {
    let port: Int
    private var descriptors: [Int32] = []

    init() throws {
        let (listener, port) = try Loopback.listener(backlog: 0)
        descriptors.append(listener)
        self.port = port
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for _ in 0..<4 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            descriptors.append(filler)
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        // Wait until the fillers' handshakes that can complete have completed, so the accept
        // queue is surely full before the test connects, however loaded the machine is.
        for filler in descriptors.dropFirst() {
            var descriptor = pollfd(fd: filler, events: Int16(POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, 1_000)
        }
    }

    deinit {
        for descriptor in descriptors { close(descriptor) }
    }
}

private func expectHTTPError(_ code: HTTPClientError.Code, _ body: () async throws -> HTTPResponse) async -> HTTPClientError? {
    do {
        let response = try await body()
        Issue.record("expected \(code), got status \(response.status)")
        return nil
    } catch let error as HTTPClientError {
        #expect(error.code == code, "\(error)")
        return error
    } catch {
        Issue.record("expected HTTPClientError.\(code), got \(error)")
        return nil
    }
}

@Suite("HTTPClient against a local fake server")
struct HTTPClientTests {
    @Test("a GET returns the status, header fields and body")
    func getReturnsResponse() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let response = try await client.execute(HTTPRequest(url: server.url("/ok")))
        #expect(response.status == 200)
        #expect(response.bodyText == "ok")
        #expect(response.headers["content-type"] == "text/plain")
        #expect(response.headers["Content-Length"] == "2")
        #expect(response.metrics.attempts == 1)
        #expect(response.metrics.newConnections == 1)
    }

    @Test("a POST sends its method, header fields and binary body unchanged")
    func postEchoesRequest() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let body: [UInt8] = Array("{\"a\":1}".utf8) + [0, 200, 10] + Array(repeating: UInt8(ascii: "z"), count: 5_000)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "X-Api-Key", value: "secret-value")
        let response = try await client.execute(HTTPRequest(method: .post, url: server.url("/echo?q=1"), headers: headers, body: body))
        #expect(response.status == 200)
        let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(echo["method"] as? String == "POST")
        #expect(echo["path"] as? String == "/echo?q=1")
        let echoedBody = try #require(echo["body"] as? String)
        #expect(Array(echoedBody.unicodeScalars.map { UInt8($0.value) }) == body)
        let echoedHeaders = try #require(echo["headers"] as? [String: String])
        #expect(echoedHeaders["content-type"] == "application/json")
        #expect(echoedHeaders["x-api-key"] == "secret-value")
        #expect(echoedHeaders["expect"] == nil, "libcurl's Expect: 100-continue must be suppressed")
        #expect(echoedHeaders["user-agent"] == "arena-http/1")
    }

    @Test("a body without a Content-Type is not labelled as a form", arguments: [HTTPRequest.Method.post, .put, .patch, .delete])
    func bodyWithoutContentType(method: HTTPRequest.Method) async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let response = try await client.execute(HTTPRequest(method: method, url: server.url("/echo"), body: Array("payload".utf8)))
        let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(echo["method"] as? String == method.rawValue)
        #expect(echo["body"] as? String == "payload")
        let echoedHeaders = try #require(echo["headers"] as? [String: String])
        #expect(echoedHeaders["content-type"] == nil)
    }

    @Test("the total timeout ends a slow reply with timedOut, and the message hides path, query and header fields")
    func totalTimeout() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let clock = ContinuousClock()
        let start = clock.now
        let request = HTTPRequest(
            url: server.url("/delay?ms=120000&api_key=SECRETKEY"),
            headers: ["Authorization": "Bearer SECRETTOKEN"],
            timeout: .milliseconds(300)
        )
        let error = await expectHTTPError(.timedOut) { try await client.execute(request) }
        // Far below the 120 s the server waits, even on a machine loaded by the whole suite (where
        // the timed-out attempts and their retries once took 19 s, against 2 s alone): the 300 ms
        // timeout fired.
        #expect(clock.now - start < .seconds(60))
        let message = try #require(error).description
        #expect(error?.requestMayHaveReachedServer == true)
        #expect(message.contains("GET http://127.0.0.1:\(server.port)"))
        #expect(!message.contains("SECRET"))
        #expect(!message.contains("/delay"))
    }

    @Test("a 429 with Retry-After is retried no sooner than the server asked")
    func retryAfterHonoured() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await client.execute(
            HTTPRequest(method: .post, url: server.url("/flaky?key=rate&times=1&code=429&retry_after=1")),
            retryPolicy: quickRetries()
        )
        #expect(clock.now - start >= .seconds(1))
        #expect(response.status == 200)
        #expect(response.bodyText == "recovered")
        #expect(response.metrics.attempts == 2)
    }

    @Test("a Retry-After beyond the policy's limit returns the 429 without waiting")
    func retryAfterTooLong() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        var policy = quickRetries()
        policy.maximumRetryAfter = .seconds(5)
        let response = try await client.execute(HTTPRequest(url: server.url("/flaky?key=long&times=1&code=429&retry_after=3600")), retryPolicy: policy)
        #expect(response.status == 429)
        #expect(response.metrics.attempts == 1)
    }

    @Test("a 500 then a 200 is retried for an idempotent request")
    func serverErrorRetried() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let response = try await client.execute(HTTPRequest(url: server.url("/flaky?key=five&times=2&code=500")), retryPolicy: quickRetries())
        #expect(response.status == 200)
        #expect(response.metrics.attempts == 3)
        #expect(try await server.statistics().hits["/flaky"] == 3)
    }

    @Test("a 500 on a POST not declared idempotent is returned without a retry")
    func serverErrorNotRetriedForPost() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let response = try await client.execute(HTTPRequest(method: .post, url: server.url("/flaky?key=post&times=1&code=500")), retryPolicy: quickRetries())
        #expect(response.status == 500)
        #expect(response.bodyText == "not yet")
        #expect(response.metrics.attempts == 1)
        #expect(try await server.statistics().hits["/flaky"] == 1)
    }

    @Test("retries stop after the maximum attempts and return the last response")
    func retriesExhausted() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let response = try await client.execute(HTTPRequest(url: server.url("/status?code=503")), retryPolicy: quickRetries(3))
        #expect(response.status == 503)
        #expect(response.metrics.attempts == 3)
        #expect(try await server.statistics().hits["/status"] == 3)
    }

    @Test("a dropped connection is retried for a POST declared idempotent")
    func droppedConnectionRetriedWhenIdempotent() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let request = HTTPRequest(method: .post, url: server.url("/drop?key=order&times=1"), body: Array("{}".utf8), isIdempotent: true)
        let response = try await client.execute(request, retryPolicy: quickRetries())
        #expect(response.status == 200)
        #expect(response.metrics.attempts == 2)
        #expect(try await server.statistics().hits["/drop"] == 2)
    }

    @Test("a dropped connection is not retried for a POST not declared idempotent, even after a warm connection")
    func droppedConnectionNotRetriedOtherwise() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        // A kept-alive connection would let libcurl resend silently; the client must not.
        _ = try await client.execute(HTTPRequest(url: server.url("/ok")))
        let request = HTTPRequest(method: .post, url: server.url("/drop?key=once&times=1"), body: Array("{}".utf8))
        let error = await expectHTTPError(.connectionLost) { try await client.execute(request, retryPolicy: quickRetries()) }
        #expect(error?.attempts == 1)
        #expect(error?.requestMayHaveReachedServer == true)
        #expect(try await server.statistics().hits["/drop"] == 1)
    }

    @Test("a body shorter than its Content-Length is an error")
    func truncatedBody() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        _ = await expectHTTPError(.connectionLost) { try await client.execute(HTTPRequest(url: server.url("/truncate"))) }
        // Idempotent requests retry it, then report it with the attempt count.
        let error = await expectHTTPError(.connectionLost) { try await client.execute(HTTPRequest(url: server.url("/truncate")), retryPolicy: quickRetries(2)) }
        #expect(error?.attempts == 2)
    }

    @Test("a body over the limit is an error; one at the limit is accepted", arguments: ["/bytes", "/chunked"])
    func bodyLimit(path: String) async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient(configuration: HTTPClientConfiguration(maximumResponseBytes: 4_000))
        let atLimit = try await client.execute(HTTPRequest(url: server.url("\(path)?n=4000")))
        #expect(atLimit.body.count == 4_000)
        let error = await expectHTTPError(.responseTooLarge) { try await client.execute(HTTPRequest(url: server.url("\(path)?n=4001"))) }
        #expect(error?.description.contains("4000 bytes") == true)
        // The request's own limit overrides the client's.
        let larger = try await client.execute(HTTPRequest(url: server.url("\(path)?n=100000"), maximumResponseBytes: 100_000))
        #expect(larger.body.count == 100_000)
        _ = await expectHTTPError(.responseTooLarge) {
            try await client.execute(HTTPRequest(url: server.url("\(path)?n=100"), maximumResponseBytes: 99), retryPolicy: quickRetries())
        }
    }

    @Test("cancelling an in-flight request returns promptly, frees the transfer, and the client still works")
    func cancelInFlight() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let task = Task {
            try await client.execute(HTTPRequest(url: server.url("/delay?ms=30000")))
        }
        // Wait until the server is handling it, so the cancellation hits a live transfer.
        try await waitUntil { try await server.statistics().current > 0 }
        #expect(client.transfersInFlight == 1)
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        let result = await task.result
        // Far below the 30 s the server takes, even on a loaded machine.
        #expect(clock.now - start < .seconds(15))
        #expect(throws: CancellationError.self) { try result.get() }
        try await waitUntil { client.transfersInFlight == 0 }
        #expect(client.transfersInFlight == 0)
        let after = try await client.execute(HTTPRequest(url: server.url("/ok")))
        #expect(after.status == 200)
    }

    @Test("a request whose task is already cancelled never reaches the server")
    func cancelBeforeStart() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.execute(HTTPRequest(url: server.url("/ok")))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await server.statistics().hits["/ok"] == nil)
    }

    @Test("cancelling during a retry wait stops the retries")
    func cancelDuringBackoff() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let task = Task {
            try await client.execute(
                HTTPRequest(url: server.url("/flaky?key=wait&times=5&code=503&retry_after=30")),
                retryPolicy: RetryPolicy(maximumAttempts: 5)
            )
        }
        try await waitUntil { try await server.statistics().hits["/flaky"] != nil }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await server.statistics().hits["/flaky"] == 1)
    }

    @Test("500 concurrent requests all complete and the per-host limit holds")
    func manyConcurrentRequests() async throws {
        let server = try await FakeServer.start()
        let limit = 8
        let client = try HTTPClient(configuration: HTTPClientConfiguration(maximumConcurrentRequestsPerHost: limit))
        let url = server.url("/delay?ms=10")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<500 {
                group.addTask { try await client.execute(HTTPRequest(url: url)).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 500)
        #expect(statuses.allSatisfy { $0 == 200 })
        let statistics = try await server.statistics()
        #expect(statistics.hits["/delay"] == 500)
        #expect(statistics.maximumConcurrent == limit)
        // Connections are kept and reused: no more than one per permit.
        #expect(statistics.connections <= limit)
    }

    @Test("requests under different host keys have separate limits")
    func separateHostKeys() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient(configuration: HTTPClientConfiguration(maximumConcurrentRequestsPerHost: 2))
        let url = server.url("/delay?ms=100")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask { _ = try await client.execute(HTTPRequest(url: url, hostKey: "provider-\(index % 2)")) }
            }
            try await group.waitForAll()
        }
        #expect(try await server.statistics().maximumConcurrent == 4)
    }

    @Test("sequential requests reuse one connection")
    func connectionReuse() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        var newConnections: [Int] = []
        for index in 0..<10 {
            let request = index.isMultiple(of: 2)
                ? HTTPRequest(url: server.url("/ok"))
                : HTTPRequest(method: .post, url: server.url("/echo"), body: Array("x".utf8), isIdempotent: true)
            newConnections.append(try await client.execute(request).metrics.newConnections)
        }
        #expect(newConnections == [1] + Array(repeating: 0, count: 9))
        #expect(try await server.statistics().connections == 1)
    }

    @Test("a refused connection is retried even for a POST, since nothing was sent, then reported")
    func connectionRefused() async throws {
        let client = try HTTPClient()
        let port = try Loopback.unusedPort()
        let request = HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/orders", body: Array("{}".utf8))
        let error = await expectHTTPError(.connectionFailed) { try await client.execute(request, retryPolicy: quickRetries(3)) }
        #expect(error?.attempts == 3)
        #expect(error?.requestMayHaveReachedServer == false)
        #expect(error?.isRetryable(idempotent: false) == true)
    }

    @Test("the connect timeout fires when the handshake hangs, and nothing counts as sent")
    func connectTimeout() async throws {
        let listener = try SilentListener()
        let client = try HTTPClient()
        let clock = ContinuousClock()
        let start = clock.now
        let request = HTTPRequest(method: .post, url: "http://127.0.0.1:\(listener.port)/orders", body: [1], timeout: .seconds(90), connectTimeout: .milliseconds(200))
        let error = await expectHTTPError(.timedOut) { try await client.execute(request, retryPolicy: quickRetries(2)) }
        // Below the 90 s transfer timeout: the connect timeout fired. The margin is wide because the
        // whole suite runs in parallel on two cores, and resuming this task can wait on the others.
        #expect(clock.now - start < .seconds(80))
        #expect(error?.requestMayHaveReachedServer == false)
        #expect(error?.attempts == 2)
        #expect(error?.description.contains("connection timed out") == true)
    }

    @Test("invalid URLs and header fields are refused before sending", arguments: [
        HTTPRequest(url: "not a url"),
        HTTPRequest(url: "ftp://127.0.0.1/file"),
        HTTPRequest(url: "file:///etc/passwd"),
        HTTPRequest(url: "http://127.0.0.1:1/", headers: ["Bad Name": "x"]),
        HTTPRequest(url: "http://127.0.0.1:1/", headers: ["X-Injected": "a\r\nHost: evil"]),
        HTTPRequest(url: "http://127.0.0.1:1/", timeout: .zero),
        HTTPRequest(url: "http://127.0.0.1:1/", body: [1]),
    ])
    func invalidRequests(request: HTTPRequest) async throws {
        let client = try HTTPClient()
        let error = await expectHTTPError(.invalidRequest) { try await client.execute(request, retryPolicy: quickRetries()) }
        #expect(error?.description.contains("evil") == false)
        #expect(error?.description.contains("passwd") == false)
    }

    @Test("a shut-down client fails requests in flight and later ones with clientShutDown")
    func shutdownFailsRequests() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let task = Task { try await client.execute(HTTPRequest(url: server.url("/delay?ms=30000"))) }
        try await waitUntil { try await server.statistics().current > 0 }
        client.shutdown()
        _ = await expectHTTPError(.clientShutDown) { try await task.value }
        _ = await expectHTTPError(.clientShutDown) { try await client.execute(HTTPRequest(url: server.url("/ok"))) }
        try await waitUntil { client.engine.hasStopped.load(ordering: .acquiring) }
        let stopped = client.engine.hasStopped.load(ordering: .acquiring)
        #expect(stopped)
    }

    @Test("HEAD returns header fields and no body")
    func headRequest() async throws {
        let server = try await FakeServer.start()
        let client = try HTTPClient()
        let response = try await client.execute(HTTPRequest(method: .head, url: server.url("/ok")))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.headers["Content-Length"] == "2")
    }
}
