import Arena
import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import ArgumentParser
import Foundation
import LLM
import Logging
import Market
import ServiceLifecycle
import Storage
import Synchronization

/// `arena-bench decisions`: many LLM accounts deciding on schedule against a fake
/// OpenAI-compatible provider that answers after a fixed latency. Measures how late each cycle
/// starts against its schedule, the arena's own work per decision (prompt, parse, validate, gate,
/// execute, persist) and the peak resident memory.
struct DecisionsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decisions",
                                                    abstract: "LLM accounts deciding on schedule against a fake provider.")

    @Option(help: "LLM accounts.")
    var accounts = 1_000

    @Option(help: "Seconds between one account's decisions.")
    var interval = 60

    @Option(name: .customLong("llm-latency"), help: "Seconds the fake provider takes to answer.")
    var llmLatency = 2.0

    @Option(help: "Seconds to run (at least two intervals give two cycles per account).")
    var duration = 150

    @Option(name: .customLong("max-concurrent"), help: "Calls in flight to the provider, over all accounts (5,000 accounts every 60 s at 2 s a call keep about 170 busy).")
    var maxConcurrent = 256

    @Option(name: .customLong("trigger-move-pct"),
            help: "Each account's trigger_move_pct: a coin moving this many percent since its last decision starts one early (0: off).")
    var triggerMovePercent = 0.3

    @Option(help: "Folder for the benchmark's temporary database.")
    var folder = "data/bench"

    func validate() throws {
        guard accounts > 0, interval > 0, llmLatency >= 0, duration > 0, maxConcurrent > 0, triggerMovePercent >= 0, triggerMovePercent <= 100 else {
            throw ValidationError("counts and times must be positive")
        }
    }

    func run() async throws {
        let provider = try await FakeOpenAIServer.start(latency: llmLatency)
        defer { provider.stop() }
        guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
        let test = try TestLedger(prefix: "decisions", in: URL(fileURLWithPath: folder), migrations: migrations)
        defer { withExtendedLifetime(test) {} }
        let database = test.database
        guard let promptFolder = PromptLibrary.locateFolder() else { throw BenchError("prompts/ not found: run from the repository folder") }

        let observer = DecisionTimings()
        let services = LLMServices(prompts: try PromptLibrary(folder: promptFolder), observer: observer)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let start = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let source = TimedMarketSource(try SimulatedMarket(seed: 42, start: start))
        let runtime = try ArenaRuntime(
            ledger: LedgerStore(database: database), source: source,
            configuration: ArenaConfiguration(pacing: .realTime(speed: 1), snapshotIntervalMilliseconds: 10_000), logger: logger,
            drivers: DriverEnvironment(llm: services, localModel: nil, variables: [:]))
        var settings = DriverSettings.model(provider: .openai, model: "gpt-4o-mini", baseURL: "http://127.0.0.1:\(provider.port)/v1",
                                            intervalSeconds: interval)
        settings.timeout_seconds = 60
        settings.max_concurrent_requests = maxConcurrent
        if triggerMovePercent > 0 { settings.trigger_move_pct = FixedDecimal(approximating: triggerMovePercent) }
        // Roster's entries are built from JSON, as an operator's file would be.
        let driverJSON = try JSON.encode(settings)
        let entries = (1...accounts).map { index in
            #"{"name": "llm-\#(index)", "symbols": ["BTC", "ETH", "SOL"], "initial_capital": "10000", "risk_limits": {"max_leverage": 5}, "driver": \#(driverJSON)}"#
        }
        let roster = try JSONDecoder().decode(Roster.self, from: Data(#"{"accounts": [\#(entries.joined(separator: ","))]}"#.utf8))
        try runtime.apply(roster)

        FileHandle.standardError.write(Data("\(accounts) accounts every \(interval) s (move trigger \(triggerMovePercent)%), provider latency \(llmLatency) s, running \(duration) s...\n".utf8))
        let group = ServiceGroup(configuration: .init(services: [.init(service: runtime)], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .seconds(duration))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }

        let prompts = await provider.finish()
        guard let origin = source.origin else { throw BenchError("the market never started") }
        let report = observer.report(origin: origin)
        let stats = try LedgerStore(database: database).decisionStatisticsByModel()
        let decisions = stats.reduce(0) { $0 + $1.statistics.decisions }
        let failed = stats.reduce(0) { $0 + $1.statistics.failed }
        let cost = stats.reduce(FixedDecimal.zero) { $0 + $1.statistics.costUSD }
        let orders = try LedgerStore(database: database).count("orders")
        // Decisions beyond the interval's schedule were started by the move trigger.
        let scheduled = accounts * ((duration + interval - 1) / interval)
        let skipped = runtime.leaderboard.ranked().reduce(0) { $0 + $1.skipped_cycles }
        print(String(format: #"{"benchmark":"decisions","accounts":%d,"interval_s":%d,"llm_latency_s":%.1f,"duration_s":%d,"#
                     + #""trigger_move_pct":%.2f,"cycles":%d,"move_triggered_at_least":%d,"skipped_cycles":%d,"#
                     + #""prompts":%d,"prompts_with_feedback":%d,"decisions_stored":%d,"failed":%d,"orders":%d,"cost_usd":"%@","#
                     + #""start_lateness_ms":{"p50":%.1f,"p99":%.1f,"max":%.1f},"#
                     + #""own_work_ms":{"p50":%.3f,"p99":%.3f,"max":%.3f},"prompt_parse_ms_p99":%.3f,"gate_execute_persist_ms_p99":%.3f,"#
                     + #""peak_rss_mb":%.1f}"#,
                     accounts, interval, llmLatency, duration, triggerMovePercent, report.cycles, max(0, report.cycles - scheduled), skipped,
                     prompts.requests, prompts.withFeedback, decisions, failed, orders, cost.description,
                     report.lateness.p50, report.lateness.p99, report.lateness.max,
                     report.ownWork.p50, report.ownWork.p99, report.ownWork.max, report.promptAndParseP99, report.afterDecisionP99,
                     peakResidentMegabytes()))
    }
}

/// Collects each decision's timings from the LLM driver.
final class DecisionTimings: LLMDriverObserver {
    private struct Entry {
        var marketTime: Timestamp
        var started: ContinuousClock.Instant
        var ownWork: Duration
        var finished: ContinuousClock.Instant
        var reconciled: ContinuousClock.Instant?
    }

    private let state = Mutex<(entries: [Entry], open: [AccountID: Int])>(([], [:]))

    func decisionEnded(account: AccountID, marketTime: Timestamp, started: ContinuousClock.Instant, ownWork: Duration,
                       finished: ContinuousClock.Instant, succeeded: Bool) {
        state.withLock { state in
            state.entries.append(Entry(marketTime: marketTime, started: started, ownWork: ownWork, finished: finished))
            if succeeded { state.open[account] = state.entries.count - 1 } else { state.open[account] = nil }
        }
    }

    func decisionReconciled(account: AccountID, at: ContinuousClock.Instant) {
        state.withLock { state in
            guard let index = state.open.removeValue(forKey: account) else { return }
            state.entries[index].reconciled = at
        }
    }

    struct Percentiles { var p50 = 0.0, p99 = 0.0, max = 0.0 }

    struct Report {
        var cycles: Int
        var lateness: Percentiles
        var ownWork: Percentiles
        var promptAndParseP99: Double
        var afterDecisionP99: Double
    }

    /// The figures, with cycle lateness measured from the market's start on the wall clock.
    func report(origin: (wall: ContinuousClock.Instant, market: Timestamp)) -> Report {
        let entries = state.withLock { $0.entries }
        func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
        }
        let lateness = entries.map { entry in
            milliseconds(entry.started - (origin.wall + .milliseconds(entry.marketTime.milliseconds - origin.market.milliseconds)))
        }
        let complete = entries.filter { $0.reconciled != nil }
        let own = complete.map { milliseconds($0.ownWork) + milliseconds(($0.reconciled ?? $0.finished) - $0.finished) }
        return Report(cycles: entries.count, lateness: Self.percentiles(lateness), ownWork: Self.percentiles(own),
                      promptAndParseP99: Self.percentiles(entries.map { milliseconds($0.ownWork) }).p99,
                      afterDecisionP99: Self.percentiles(complete.map { milliseconds(($0.reconciled ?? $0.finished) - $0.finished) }).p99)
    }

    /// Each reconciled decision's own work (prompt, parse, then gate, execute and record), in milliseconds.
    func ownWorkMilliseconds() -> [Double] {
        state.withLock { state in
            state.entries.compactMap { entry in
                guard let reconciled = entry.reconciled else { return nil }
                let own = entry.ownWork + (reconciled - entry.finished)
                return Double(own.components.seconds) * 1_000 + Double(own.components.attoseconds) / 1e15
            }
        }
    }

    static func percentiles(_ values: [Double]) -> Percentiles {
        guard !values.isEmpty else { return Percentiles() }
        let sorted = values.sorted()
        func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))] }
        return Percentiles(p50: at(0.5), p99: at(0.99), max: sorted[sorted.count - 1])
    }
}

/// A simulated market that notes when the runtime first pulled it: the origin of the schedule.
struct TimedMarketSource: MarketSource {
    private final class Origin: Sendable {
        let value = Mutex<(wall: ContinuousClock.Instant, market: Timestamp)?>(nil)
    }

    private var inner: SimulatedMarket
    private let recorded = Origin()

    init(_ inner: SimulatedMarket) { self.inner = inner }

    var description: String { inner.description }
    var symbols: [Symbol] { inner.symbols }
    var instruments: [Symbol: Instrument] { inner.instruments }

    mutating func next() throws -> MarketSnapshot? {
        let snapshot = try inner.next()
        if let snapshot {
            recorded.value.withLock { origin in
                if origin == nil { origin = (ContinuousClock.now, snapshot.time) }
            }
        }
        return snapshot
    }

    /// The wall instant and market time of the first snapshot.
    var origin: (wall: ContinuousClock.Instant, market: Timestamp)? { recorded.value.withLock { $0 } }
}

/// A fake OpenAI-compatible provider (Python asyncio in a child process): answers every chat
/// completion after a fixed latency with a forced tool call, rotating through opening, holding
/// and closing so that accounts really trade.
final class FakeOpenAIServer: Sendable {
    let port: Int
    private let child: ChildProcess

    private init(port: Int, child: ChildProcess) {
        self.port = port
        self.child = child
    }

    static func start(latency: Double) async throws -> FakeOpenAIServer {
        let child = try ChildProcess.python(script: script, arguments: [String(latency)])
        guard let line = await child.waitForLine(), let port = Int(line) else {
            throw BenchError("the fake provider did not start")
        }
        return FakeOpenAIServer(port: port, child: child)
    }

    func stop() {
        child.closeInput()
        child.terminate()
    }

    /// Ends the provider and returns how many requests it answered and how many of their prompts
    /// reported the account's previous decision (the feedback section of the prompt).
    func finish() async -> (requests: Int, withFeedback: Int) {
        child.closeInput()
        // The first line was the port; the counts come as "requests with_feedback".
        let line = await child.waitForLine(timeout: .seconds(10)) { $0.split(separator: " ").count == 2 } ?? ""
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : (0, 0)
    }

    private static let script = #"""
import asyncio, json, sys
latency = float(sys.argv[1])
answers = [
    {"decisions": [{"symbol": "BTC", "action": "open_long", "size": 300, "size_unit": "usd", "leverage": 2, "take_profit": 1000000, "stop_loss": 1, "invalidation_condition": "trend breaks", "confidence": 0.6, "justification": "Momentum."}], "reasoning": "Buy."},
    {"decisions": [{"symbol": "BTC", "action": "hold", "size": 0, "size_unit": "usd", "leverage": 1, "confidence": 0.5, "justification": "Wait."}, {"symbol": "ETH", "action": "hold", "size": 0, "size_unit": "usd", "leverage": 1, "confidence": 0.5, "justification": "Wait."}]},
    {"decisions": [{"symbol": "BTC", "action": "close", "size": 0, "size_unit": "usd", "leverage": 1, "confidence": 0.7, "justification": "Take profit."}]},
    {"decisions": [{"symbol": "ETH", "action": "open_short", "size": 0.02, "size_unit": "equity_fraction", "leverage": 3, "confidence": 0.55, "justification": "Weak."}]},
    {"decisions": [{"symbol": "ETH", "action": "close", "size": 0, "size_unit": "usd", "leverage": 1, "confidence": 0.6, "justification": "Done."}]},
]
count = 0
with_feedback = 0
def reply(request):
    global count, with_feedback
    count += 1
    if b"WHAT HAPPENED TO YOUR LAST DECISION" in request:
        with_feedback += 1
    arguments = json.dumps(answers[count % len(answers)])
    return json.dumps({"id": "chatcmpl-bench", "object": "chat.completion", "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": None,
            "tool_calls": [{"id": "call", "type": "function", "function": {"name": "submit_decision", "arguments": arguments}}]}}],
        "usage": {"prompt_tokens": 2500, "completion_tokens": 120}}).encode()
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            request = await reader.readexactly(length) if length else b""
            await asyncio.sleep(latency)
            body = reply(request)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    print(count, with_feedback, flush=True)
asyncio.run(main())
"""#
}

/// The peak resident set of this process in MiB (VmHWM), or 0 where /proc is missing.
/// CPU seconds (user and system) the process has used so far, over all its threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.filter(\.isNumber)
        return (Double(digits) ?? 0) / 1024
    }
    return 0
}
