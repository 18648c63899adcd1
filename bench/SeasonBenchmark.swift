import Arena
import ArenaCore
import ArenaTestSupport
import ArgumentParser
import Foundation
import LLM
import Logging
import Synchronization

/// `arena-bench season`: a year of hourly bars of three coins, ten model entrants deciding every
/// four hours plus the baselines, five repeats (about 110,000 model decisions). First a run whose
/// models are a synthetic answerer (no HTTP), recording `responses.jsonl`; then the measured
/// rerun from that file. Reports both wall times, the rerun's own work per decision and whether
/// the rerun reproduced the run's checksum.
struct SeasonBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "season",
                                                    abstract: "A year-long season of ten model entrants, recorded then rerun.")

    @Option(help: "Days of hourly bars.")
    var days = 365

    @Option(help: "Model entrants.")
    var models = 10

    @Option(help: "Repeats (seeds).")
    var repeats = 5

    @Option(help: "Hours between a model entrant's decisions.")
    var hours = 4

    @Option(help: "Repeats run at once (default: as `arena season run`, all of them up to 8).")
    var parallel: Int?

    @Option(help: "Folder for the benchmark's season output (removed afterwards).")
    var folder = "data/bench"

    func validate() throws {
        guard days > 0, models > 0, repeats > 0, hours > 0, (parallel ?? 1) > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
        guard let promptFolder = PromptLibrary.locateFolder() else { throw BenchError("prompts/ not found: run from the repository folder") }
        let prompts = try PromptLibrary(folder: promptFolder)
        let work = try TemporaryFolder(prefix: "season-bench", in: URL(fileURLWithPath: folder))
        try Self.hourlyCSV(days: days).write(to: work.file("market.csv"), atomically: true, encoding: .utf8)
        let modelEntrants = (1...models).map { index in
            #"{"name": "model-\#(index)", "driver": {"kind": "llm", "provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "gpt-4o-mini", "interval_seconds": \#(hours * 3_600)}}"#
        }
        let baselines = [
            #"{"name": "hold-btc", "driver": {"kind": "buy_and_hold", "symbol": "BTC", "interval_seconds": 3600}}"#,
            #"{"name": "random", "driver": {"kind": "random", "interval_seconds": 3600}, "risk_limits": {"max_leverage": 3}}"#,
            #"{"name": "hedge-eth", "symbols": ["ETH"], "driver": {"kind": "hedge4", "symbol": "ETH", "unit_size": 40, "initial_margin": 1000, "interval_seconds": 3600}}"#,
            #"{"name": "fib-eth", "symbols": ["ETH"], "driver": {"kind": "fibonacci", "symbol": "ETH", "initial_margin": 1000, "interval_seconds": 3600}}"#,
        ]
        let season = #"{"name": "bench", "market": {"replay": "market.csv"}, "symbols": ["BTC", "ETH", "SOL"], "initial_capital": "10000", "repeats": \#(repeats), "seed": 1, "entrants": [\#((modelEntrants + baselines).joined(separator: ", "))]}"#
        try season.write(to: work.file("season.json"), atomically: true, encoding: .utf8)
        let plan = try SeasonPlan.load(path: work.path("season.json"), prompts: prompts)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical

        FileHandle.standardError.write(Data("recording: \(plan.entrants.count) entrants x \(plan.repeats.count) repeats on \(days) days of hourly bars...\n".utf8))
        let recordStart = ContinuousClock.now
        let recorded = try await SeasonRunner(plan: plan, output: work.file("run"), migrations: migrations, prompts: prompts,
                                              models: .record(SyntheticModel()), parallelRepeats: parallel, environment: [:],
                                              logger: logger).run()
        let recordSeconds = Self.seconds(since: recordStart)

        FileHandle.standardError.write(Data("rerunning from the recorded responses...\n".utf8))
        let responsesPath = work.path("run/responses.jsonl")
        let timings = Mutex<[Int: DecisionTimings]>([:])
        let rerunStart = ContinuousClock.now
        let rerunCPUStart = processCPUSeconds()
        let responses = try SeasonResponses(path: responsesPath)
        let loadSeconds = Self.seconds(since: rerunStart)
        let rerun = try await SeasonRunner(plan: plan, output: work.file("rerun"), migrations: migrations, prompts: prompts,
                                           models: .replay(responses, path: responsesPath), parallelRepeats: parallel, environment: [:],
                                           observer: { index in
                                               let observer = DecisionTimings()
                                               timings.withLock { $0[index] = observer }
                                               return observer
                                           }, logger: logger).run()
        let rerunSeconds = Self.seconds(since: rerunStart)
        let rerunCores = (processCPUSeconds() - rerunCPUStart) / max(rerunSeconds, 0.001)
        let own = DecisionTimings.percentiles(timings.withLock { $0.values.flatMap { $0.ownWorkMilliseconds() } })
        let modelDecisions = rerun.runs.filter { $0.model != nil }.reduce(0) { $0 + $1.decisions }
        let failed = rerun.runs.filter { $0.failure != nil }.count
        print(String(format: #"{"benchmark":"season","days":%d,"entrants":%d,"model_entrants":%d,"repeats":%d,"parallel":%d,"#
                     + #""model_decisions":%d,"responses":%d,"record_s":%.2f,"rerun_s":%.2f,"rerun_loading_responses_s":%.2f,"rerun_cores_used":%.2f,"failed_runs":%d,"identical":%@,"#
                     + #""own_work_ms":{"p50":%.3f,"p99":%.3f,"max":%.3f},"peak_rss_mb":%.1f}"#,
                     days, plan.entrants.count, models, repeats, parallel ?? min(repeats, SeasonRunner.defaultParallelRepeatsLimit), modelDecisions, responses.count, recordSeconds, rerunSeconds, loadSeconds, rerunCores,
                     failed, recorded.digest == rerun.digest ? "true" : "false", own.p50, own.p99, own.max, peakResidentMegabytes()))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Hourly bars of BTC, ETH and SOL from 2025-01-01, a seeded random walk.
    static func hourlyCSV(days: Int) -> String {
        var lines = ["timestamp,symbol,open,high,low,close,volume"]
        lines.reserveCapacity(days * 24 * 3 + 1)
        var prices = [("BTC", 95_000.0), ("ETH", 3_400.0), ("SOL", 190.0)]
        var state: UInt64 = 42
        func draw() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        for hour in 0..<(days * 24) {
            let time = 1_735_689_600_000 + Int64(hour) * 3_600_000
            for index in prices.indices {
                let (symbol, open) = prices[index]
                let close = open * (1 + draw() * 0.012)
                let high = max(open, close) * (1 + abs(draw()) * 0.004)
                let low = min(open, close) * (1 - abs(draw()) * 0.004)
                lines.append(String(format: "%lld,%@,%.4f,%.4f,%.4f,%.4f,%.2f", time, symbol, open, high, low, close, 1_000 + draw() * 400))
                prices[index].1 = close
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A model that answers at once, from the prompt: a decision drawn from the prompt's hash (open
/// long or short, close, or hold on one of the coins), with token counts, so that accounts trade
/// and cost something. Same prompt, same answer.
struct SyntheticModel: ModelTransport {
    func complete(_ request: ChatRequest, configuration: ModelConfiguration, call: ModelCall) async throws -> ChatReply {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in request.messages.last?.text.utf8 ?? "".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let symbol = ["BTC", "ETH", "SOL"][Int(hash % 3)]
        let answer: String
        switch (hash >> 8) % 5 {
        case 0: answer = #"{"decisions": [{"symbol": "\#(symbol)", "action": "open_long", "size": 0.1, "size_unit": "equity_fraction", "leverage": 2, "confidence": 0.6, "justification": "momentum"}], "reasoning": "trend up"}"#
        case 1: answer = #"{"decisions": [{"symbol": "\#(symbol)", "action": "open_short", "size": 0.1, "size_unit": "equity_fraction", "leverage": 2, "confidence": 0.55, "justification": "fading"}], "reasoning": "trend down"}"#
        case 2, 3: answer = #"{"decisions": [{"symbol": "\#(symbol)", "action": "close", "confidence": 0.7, "justification": "take it"}], "reasoning": "done"}"#
        default: answer = #"{"decisions": [], "reasoning": "nothing to do"}"#
        }
        return ChatReply(toolArguments: answer, promptTokens: 1_800, completionTokens: 120, finishReason: "tool_calls")
    }
}
