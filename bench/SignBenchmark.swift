import Arena
import ArenaCore
import ArenaTestSupport
import ArenaTestSupportCore
import ArgumentParser
import Foundation
import HTTP
import Hyperliquid
import Logging
import Synchronization

/// `arena-bench sign`: how many actions one core signs per second, and how long the arena takes
/// from a decision (an order request handed to the live executor) to the signed request arriving
/// at `/exchange` of a local fake venue that timestamps each arrival.
struct SignBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "Hyperliquid signing throughput and decision-to-request latency.")

    @Option(help: "Actions signed for the throughput figure.")
    var iterations = 20_000

    @Option(help: "Orders submitted through the live executor for the latency figure.")
    var orders = 500

    func validate() throws {
        guard iterations > 0, orders > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        FileHandle.standardError.write(Data("signing \(iterations) one-order L1 actions on one core...\n".utf8))
        let signing = try signingBenchmark(iterations: iterations)
        FileHandle.standardError.write(Data(String(format: "%.0f actions/s, %.1f µs each\n", signing.actionsPerSecond, signing.microsecondsPerAction).utf8))
        FileHandle.standardError.write(Data("submitting \(orders) orders through the live executor to a local fake venue...\n".utf8))
        let latencies = try await decisionToRequestLatencies(orders: orders).sorted()
        func percentile(_ fraction: Double) -> Double {
            latencies[min(latencies.count - 1, Int(Double(latencies.count - 1) * fraction))]
        }
        let mean = latencies.reduce(0, +) / Double(latencies.count)
        print(String(format: #"{"benchmark":"sign","signing":{"actions":%d,"seconds":%.3f,"actions_per_second":%.0f,"microseconds_per_action":%.1f},"#
                     + #""decision_to_request":{"orders":%d,"mean_us":%.0f,"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"max_us":%.0f}}"#,
                     signing.iterations, signing.seconds, signing.actionsPerSecond, signing.microsecondsPerAction,
                     latencies.count, mean, percentile(0.5), percentile(0.9), percentile(0.99), latencies.last ?? 0))
    }

    /// Submits `orders` limit orders through a `HyperliquidExecutor` and returns, for each, the
    /// microseconds from the call to `submit` until the fake venue saw the first byte of its
    /// `/exchange` request (both on the monotonic clock of this process).
    func decisionToRequestLatencies(orders: Int) async throws -> [Double] {
        let venue = try TimestampingVenue()
        defer { venue.stop() }
        let http = try HTTPClient()
        defer { http.shutdown() }
        let endpoint = try HyperliquidEndpoint(network: .testnet, baseURL: "http://127.0.0.1:\(venue.port)")
        let limiter = RequestWeightLimiter(capacity: 1_000_000_000, refillPerMinute: 1_000_000_000)
        let signer = try Signer(privateKeyHex: "0x0123456789012345678901234567890123456789012345678901234567890123")
        let client = HyperliquidExchangeClient(http: http, endpoint: endpoint, signer: signer, nonces: NonceSource(), limiter: limiter)
        let universe = HyperliquidUniverse(meta: try await client.info.meta())
        guard let btc = Symbol("BTC") else { throw ValidationError("BTC is not a symbol") }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let executor = HyperliquidExecutor(exchange: client, universe: universe, accountID: AccountID(1), fillsAfter: Timestamp(milliseconds: 0),
                                           logger: logger)
        let mid = FixedDecimal(65_000)
        _ = await executor.apply(TestMarkets.snapshot(btc, mid: mid, at: 1, size: 1, levels: 1, offset: 0))
        var latencies: [Double] = []
        latencies.reserveCapacity(orders)
        for sequence in 1...orders {
            let request = OrderRequest(clientOrderID: ClientOrderID(account: AccountID(1), sequence: UInt64(sequence)), symbol: btc, side: .buy,
                                       size: FixedDecimal(1, exponent: 3), type: .limit(price: FixedDecimal(60_000), timeInForce: .gtc))
            let arrivalsBefore = venue.exchangeArrivals.count
            let start = TimestampingVenue.monotonicNanoseconds()
            _ = await executor.submit(request, leverage: nil, at: Timestamp(milliseconds: Int64(sequence)))
            let arrivals = venue.exchangeArrivals
            guard arrivals.count > arrivalsBefore else { throw ValidationError("the fake venue saw no /exchange request") }
            latencies.append(Double(arrivals[arrivalsBefore] - start) / 1_000)
        }
        return latencies
    }
}

/// A minimal HTTP/1.1 venue on 127.0.0.1 for the benchmark: it notes the monotonic time at which
/// each `/exchange` request's first byte arrives and answers every request with a canned body
/// (a resting order, an empty account). Blocking sockets on plain threads, one per connection.
final class TimestampingVenue: Sendable {
    let port: Int
    private let listener: Int32
    private let arrivals = Mutex<[UInt64]>([])
    private let stopped = Atomic<Bool>(false)

    /// The arrival times of `/exchange` requests, in nanoseconds of the monotonic clock.
    var exchangeArrivals: [UInt64] { arrivals.withLock { $0 } }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    init() throws {
        let bound = try Loopback.listener(backlog: 16)
        listener = bound.descriptor
        port = bound.port
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            var one: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var firstByteAt: UInt64?
        while true {
            // Read until a whole request (head and Content-Length body) is buffered.
            if let headEnd = Self.find(Array("\r\n\r\n".utf8), in: buffer) {
                let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
                let bodyLength = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let total = headEnd + 4 + bodyLength
                if buffer.count >= total {
                    let isExchange = head.hasPrefix("POST /exchange")
                    if isExchange, let firstByteAt { arrivals.withLock { $0.append(firstByteAt) } }
                    let body = Array(buffer[(headEnd + 4)..<total])
                    buffer.removeFirst(total)
                    firstByteAt = buffer.isEmpty ? nil : Self.monotonicNanoseconds()
                    let answer = isExchange ? Self.exchangeAnswer : Self.infoAnswer(for: body)
                    let response = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\n\r\n\(answer)".utf8)
                    var sent = 0
                    while sent < response.count {
                        let count = response[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        if count <= 0 { return }
                        sent += count
                    }
                    continue
                }
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            if firstByteAt == nil { firstByteAt = Self.monotonicNanoseconds() }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<(index + needle.count)]) == needle { return index }
        }
        return nil
    }

    static let exchangeAnswer = #"{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":1}}]}}}"#

    static func infoAnswer(for body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        if text.contains(#""type":"meta""#) { return #"{"universe":[{"name":"BTC","szDecimals":5,"maxLeverage":40}]}"# }
        if text.contains(#""type":"clearinghouseState""#) {
            return #"{"marginSummary":{"accountValue":"10000.0","totalNtlPos":"0.0","totalRawUsd":"10000.0","totalMarginUsed":"0.0"},"assetPositions":[],"time":1}"#
        }
        if text.contains(#""type":"allMids""#) { return #"{"BTC":"65000.0"}"# }
        return "[]"
    }
}
