import ArenaTestSupport
import ArgumentParser
import CEpoll
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `arena-bench feed-clients`: the client side of `feed`, run as its child. Connects `--clients`
/// WebSocket clients from one thread with epoll (plain sockets, so the clients cost as little CPU
/// as possible and the server gets the cores), prints `connected N`, listens for `--seconds`,
/// then prints one JSON line of figures.
struct FeedClientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "feed-clients", abstract: "The feed benchmark's clients (run by `feed`).",
                                                    shouldDisplay: false)

    @Option(help: "The feed's port on 127.0.0.1.")
    var port: Int

    @Option(help: "The feed's path and query.")
    var path: String

    @Option(help: "Clients to connect.")
    var clients: Int

    @Option(help: "Seconds to listen once connected.")
    var seconds: Int

    func run() throws {
        // Indexed by descriptor, so each read changes its reader in place.
        var readers: [WebSocketReader?] = []
        var connected = 0
        for _ in 0..<clients {
            let socket = try Loopback.connectWebSocket(port: port, path: path)
            let index = Int(socket.descriptor)
            if readers.count <= index { readers += Array(repeating: nil, count: index + 1 - readers.count) }
            readers[index] = WebSocketReader(pending: socket.leftover)
            connected += 1
        }
        let poller = epoll_create1(0)
        guard poller >= 0 else { throw BenchError("epoll_create1 failed") }
        defer { close(poller) }
        for descriptor in readers.indices.filter({ readers[$0] != nil }).map(Int32.init) {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = descriptor
            guard epoll_ctl(poller, EPOLL_CTL_ADD, descriptor, &event) == 0 else { throw BenchError("epoll_ctl failed") }
        }
        FileHandle.standardOutput.write(Data("connected \(connected)\n".utf8))
        var histogram = Array(repeating: 0, count: 100_001)
        var closedByServer = 0
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds) * 1_000_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let ready = epoll_wait(poller, &events, Int32(events.count), 100)
            guard ready > 0 else { continue }
            for index in 0..<Int(ready) {
                let descriptor = events[index].data.fd
                while readers[Int(descriptor)] != nil {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count <= 0 {
                        if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                            close(descriptor)
                            readers[Int(descriptor)] = nil
                        }
                        break
                    }
                    let received = DispatchTime.now().uptimeNanoseconds
                    readers[Int(descriptor)]?.consume(buffer[0..<count]) { opcode, payload in
                        if opcode == 8 { closedByServer += 1 }
                        guard opcode == 1 else { return }
                        for sent in publishTimes(in: payload) {
                            histogram[min(100_000, Int((received &- sent) / 100_000))] += 1
                        }
                    }
                }
            }
        }
        let summary = LatencySummary(buckets: histogram)
        FileHandle.standardOutput.write(Data((String(
            format: #"{"deliveries":%d,"closed_by_server":%d,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"peak_rss_mb":%.1f}"#,
            summary.count, closedByServer, summary.p50, summary.p99, summary.max, peakResidentMegabytes()) + "\n").utf8))
    }
}

/// Reassembles server-to-client WebSocket frames (unmasked, unfragmented) from a byte stream.
struct WebSocketReader {
    var pending: [UInt8]

    mutating func consume(_ bytes: ArraySlice<UInt8>, frame: (_ opcode: UInt8, _ payload: ArraySlice<UInt8>) -> Void) {
        pending += bytes
        var start = 0
        while pending.count - start >= 2 {
            let opcode = pending[start] & 0x0F
            var length = Int(pending[start + 1] & 0x7F)
            var header = 2
            if length == 126 {
                guard pending.count - start >= 4 else { break }
                length = Int(pending[start + 2]) << 8 | Int(pending[start + 3])
                header = 4
            } else if length == 127 {
                guard pending.count - start >= 10 else { break }
                length = (0..<8).reduce(0) { $0 << 8 | Int(pending[start + 2 + $1]) }
                header = 10
            }
            guard pending.count - start >= header + length else { break }
            frame(opcode, pending[(start + header)..<(start + header + length)])
            start += header + length
        }
        pending.removeFirst(start)
    }
}

/// The publish times carried by the bench alerts in one frame, one message per line: each line
/// ends with the time's digits and `"}}`, so only the ends of lines are read.
func publishTimes(in bytes: ArraySlice<UInt8>) -> [UInt64] {
    var times: [UInt64] = []
    var lineEnd = bytes.endIndex
    while lineEnd > bytes.startIndex {
        var index = lineEnd - 4 // the last digit, before `"}}`
        let isAlert = index >= bytes.startIndex && bytes[lineEnd - 3] == 34 && bytes[lineEnd - 2] == 125 && bytes[lineEnd - 1] == 125
        var value: UInt64 = 0
        var scale: UInt64 = 1
        while index >= bytes.startIndex, bytes[index] >= 48, bytes[index] <= 57 {
            value &+= UInt64(bytes[index] - 48) &* scale
            scale &*= 10
            index -= 1
        }
        if isAlert && scale > 1 { times.append(value) }
        while index >= bytes.startIndex, bytes[index] != 10 { index -= 1 }
        lineEnd = index
    }
    return times
}

/// Percentiles of delivery latencies kept in 0.1 ms buckets up to 10 s.
struct LatencySummary {
    let count: Int
    let p50: Double
    let p99: Double
    let max: Double

    init(buckets: [Int]) {
        let total = buckets.reduce(0, +)
        func percentile(_ fraction: Double) -> Double {
            let target = Int((Double(total) * fraction).rounded(.up))
            var seen = 0
            for (index, count) in buckets.enumerated() {
                seen += count
                if seen >= target { return Double(index) / 10 }
            }
            return 0
        }
        count = total
        p50 = percentile(0.5)
        p99 = percentile(0.99)
        max = buckets.lastIndex { $0 > 0 }.map { Double($0) / 10 } ?? 0
    }
}
