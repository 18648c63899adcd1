import Arena
import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import ArgumentParser
import Foundation
import Logging
import Market
import Server
import ServiceLifecycle
import Storage
import Synchronization

/// `arena-bench feed`: many WebSocket clients on the real feed endpoint while events are
/// published at a fixed rate; measures delivery latency (publish to receipt), losses and memory.
/// The server runs in this process and the clients in a child process (`feed-clients`), so each
/// side's memory is its own; both share the machine's cores.
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

    @Flag(name: .customLong("one-message-per-frame"), help: "Connect without batch=true: every message in its own frame.")
    var oneMessagePerFrame = false

    @Option(name: .customLong("batch-ms"), help: "Milliseconds between writes to a batched client (arena serve --feed-batch-ms).")
    var batchMilliseconds = 10

    func validate() throws {
        guard clients > 0, rate > 0, seconds > 0, batchMilliseconds > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        var quietLogger = Logger(label: "feed-bench")
        quietLogger.logLevel = .warning
        let logger = quietLogger
        let test = try TestLedger(prefix: "arena-feed-bench", migrations: migrations)
        defer { withExtendedLifetime(test) {} }
        let runtime = try ArenaRuntime(ledger: test.ledger,
                                       source: try SimulatedMarket(seed: 1, start: Timestamp(milliseconds: 0)),
                                       configuration: ArenaConfiguration(feedBatchIntervalMilliseconds: batchMilliseconds), logger: logger)
        let port = Mutex<Int?>(nil)
        let app = buildApplication(arena: runtime, configuration: ServerConfiguration(port: 0, staticFolder: test.folder.path,
                                                                                        feedQueueLimit: 4096),
                                   logger: logger, onServerRunning: { bound in port.withLock { $0 = bound } })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
            let boundPort = port.withLock { $0 } ?? 0
            let path = "/ws/feed?topics=alert" + (oneMessagePerFrame ? "" : "&batch=true")
            progress("connecting \(clients) clients to ws://127.0.0.1:\(boundPort)\(path) from a child process")
            let child = try ClientProcess(port: boundPort, path: path, clients: clients, seconds: seconds + 3)
            guard let connected = try await child.waitForConnected() else {
                throw BenchError("the client process ended before connecting: \(child.errorOutput)")
            }
            progress("\(connected) clients connected; publishing \(rate) events a second for \(seconds) s")
            let start = ContinuousClock.now
            let total = rate * seconds
            for index in 0..<total {
                let due = start + .nanoseconds(Int64(index) * 1_000_000_000 / Int64(rate))
                if due > ContinuousClock.now { try await Task.sleep(until: due) }
                // Through the recorder, as the arena's own messages go: stored, then published.
                try runtime.recorder.record([FeedDraft(.alert, time: Timestamp(milliseconds: Int64(index)),
                                                       data: AlertView(kind: "bench", message: String(DispatchTime.now().uptimeNanoseconds)))])
            }
            guard let clientFigures = try await child.waitForSummary() else {
                throw BenchError("the client process ended without figures: \(child.errorOutput)")
            }
            print(#"{"benchmark":"feed","clients":\#(connected),"events_per_second":\#(rate),"seconds":\#(seconds),"#
                + #""batched":\#(!oneMessagePerFrame),"batch_ms":\#(batchMilliseconds),"expected_deliveries":\#(total * connected),"#
                + String(format: #""server_peak_rss_mb":%.1f,"clients":"#, peakResidentMegabytes()) + clientFigures + "}")
            group.cancelAll()
        }
    }
}

/// The `feed-clients` child process, read line by line.
final class ClientProcess: Sendable {
    private let child: ChildProcess

    init(port: Int, path: String, clients: Int, seconds: Int) throws {
        child = try ChildProcess(executable: URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL,
                                 arguments: ["feed-clients", "--port", String(port), "--path", path, "--clients", String(clients),
                                             "--seconds", String(seconds)])
    }

    /// How many clients connected, or nil if the child ended first.
    func waitForConnected() async throws -> Int? {
        await child.waitForLine(timeout: nil) { $0.hasPrefix("connected ") }.flatMap { Int($0.dropFirst("connected ".count)) }
    }

    /// The child's JSON figures, or nil if it ended without them.
    func waitForSummary() async throws -> String? {
        await child.waitForLine(timeout: nil) { $0.hasPrefix("{") }
    }

    var errorOutput: String { child.errorOutput }
}

func progress(_ text: String) {
    FileHandle.standardError.write(Data("\(text)\n".utf8))
}
