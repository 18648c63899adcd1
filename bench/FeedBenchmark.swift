import Arena
import ArenaCore
import ArgumentParser
import Foundation
import HummingbirdWSClient
import Logging
import Market
import Server
import ServiceLifecycle
import Storage
import Synchronization

/// `arena-bench feed`: many WebSocket clients on the real feed endpoint while events are
/// published at a fixed rate; measures delivery latency (publish to receipt), losses and memory.
/// Server and clients share this process, so their costs add up on the same cores.
struct FeedBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "feed", abstract: "WebSocket feed fan-out latency.")

    @Option(help: "Connected clients.")
    var clients = 2_000

    @Option(help: "Events published per second.")
    var rate = 1_000

    @Option(help: "Seconds of publishing.")
    var seconds = 10

    @Option(help: "The migrations folder.")
    var migrations = "migrations"

    func validate() throws {
        guard clients > 0, rate > 0, seconds > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        var quietLogger = Logger(label: "feed-bench")
        quietLogger.logLevel = .warning
        let logger = quietLogger
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arena-feed-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try ArenaDatabase(path: folder.appendingPathComponent("feed.sqlite").path)
        try Migrator(folder: migrations).migrate(database, now: 0)
        let runtime = try ArenaRuntime(ledger: LedgerStore(database: database),
                                       source: try SimulatedMarket(seed: 1, start: Timestamp(milliseconds: 0)),
                                       configuration: ArenaConfiguration(), logger: logger)
        let port = Mutex<Int?>(nil)
        let app = buildApplication(runtime: runtime, configuration: ServerConfiguration(port: 0, staticFolder: folder.path,
                                                                                        feedQueueLimit: 4096),
                                   logger: logger, onServerRunning: { bound in port.withLock { $0 = bound } })
        let statistics = LatencyHistogram()
        let connected = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
            let url = "ws://127.0.0.1:\(port.withLock { $0 } ?? 0)/ws/feed?topics=alert"
            progress("connecting \(clients) clients to \(url)")
            for _ in 0..<clients {
                group.addTask {
                    try await WebSocketClient.connect(url: url, logger: logger) { inbound, _, _ in
                        connected.increment()
                        for try await message in inbound.messages(maxSize: 1 << 16) {
                            guard case .text(let text) = message, let range = text.range(of: "\"message\":\"") else { continue }
                            let digits = text[range.upperBound...].prefix { $0.isNumber }
                            guard let sent = UInt64(digits) else { continue }
                            statistics.record(nanoseconds: DispatchTime.now().uptimeNanoseconds &- sent)
                        }
                    }
                }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while connected.value < clients && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            progress("\(connected.value) clients connected; publishing \(rate) events a second for \(seconds) s")
            let start = ContinuousClock.now
            let total = rate * seconds
            for index in 0..<total {
                let due = start + .nanoseconds(Int64(index) * 1_000_000_000 / Int64(rate))
                if due > ContinuousClock.now { try await Task.sleep(until: due) }
                runtime.bus.publish(.alert, time: Timestamp(milliseconds: Int64(index)),
                                    data: AlertView(kind: "bench", message: String(DispatchTime.now().uptimeNanoseconds)), persist: false)
            }
            try await Task.sleep(for: .seconds(2))
            let expected = total * connected.value
            let summary = statistics.summary()
            print(String(format: #"{"benchmark":"feed","clients":%d,"events_per_second":%d,"seconds":%d,"expected_deliveries":%d,"deliveries":%d,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"peak_rss_mb":%.1f}"#,
                         connected.value, rate, seconds, expected, summary.count, summary.p50, summary.p99, summary.max,
                         peakResidentMegabytes()))
            group.cancelAll()
        }
    }
}

/// A count shared by the clients.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Delivery latencies in 0.1 ms buckets up to 10 s.
final class LatencyHistogram: Sendable {
    private let buckets = Mutex<[Int]>(Array(repeating: 0, count: 100_001))

    func record(nanoseconds: UInt64) {
        let index = min(100_000, Int(nanoseconds / 100_000))
        buckets.withLock { $0[index] += 1 }
    }

    func summary() -> (count: Int, p50: Double, p99: Double, max: Double) {
        let counts = buckets.withLock { $0 }
        let total = counts.reduce(0, +)
        func percentile(_ fraction: Double) -> Double {
            let target = Int((Double(total) * fraction).rounded(.up))
            var seen = 0
            for (index, count) in counts.enumerated() {
                seen += count
                if seen >= target { return Double(index) / 10 }
            }
            return 0
        }
        let maximum = counts.lastIndex { $0 > 0 }.map { Double($0) / 10 } ?? 0
        return (total, percentile(0.5), percentile(0.99), maximum)
    }
}

func progress(_ text: String) {
    FileHandle.standardError.write(Data("\(text)\n".utf8))
}
