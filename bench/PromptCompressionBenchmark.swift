import Arena
import ArenaCore
import ArenaTestSupport
import ArgumentParser
import CompressNIO
import Foundation
import LLM
import Logging
import NIOCore
import Storage

/// `arena-bench prompt-compression`: the cost of storing a decision's prompt. A short season
/// (the `season` benchmark's market and synthetic models) records real rendered prompts; each is
/// then compressed as the ledger stores it now (zstd level 1 against the account's keyframe,
/// `PromptKeyframes`), on its own (as every prompt was stored from migration 0015 to 0016), and as
/// before that (zlib level 1, raw DEFLATE through one reused stream), on one core, `--passes` times.
/// Reports microseconds per prompt (the fastest pass, the least disturbed by other work on the
/// machine), the mean sizes, and the decompression time of each.
struct PromptCompressionBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prompt-compression",
                                                    abstract: "Compressing recorded decision prompts: zstd (now) against zlib (before).")

    @Option(help: "Days of hourly bars in the season that records the prompts.")
    var days = 10

    @Option(help: "Passes over the prompts per method.")
    var passes = 10

    @Option(help: "Folder for the benchmark's season output (removed afterwards).")
    var folder = "data/bench"

    func validate() throws {
        guard days > 0, passes > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        let prompts = try await recordPrompts()
        guard !prompts.isEmpty else { throw BenchError("the season recorded no prompts") }
        FileHandle.standardError.write(Data("\(prompts.count) prompts, \(passes) passes per method...\n".utf8))

        // In order, as one account stores them: a keyframe, then the next ones against its text.
        let interval = PromptKeyframes.interval
        let keyframeTexts = prompts.indices.map { Array(prompts[$0 / interval * interval].utf8) }
        var keyframedFrames: [[UInt8]] = []
        let keyframed = try Self.fastestPass(passes) {
            keyframedFrames = try prompts.indices.map { index in
                let keyframe = index % interval == 0 ? nil : keyframeTexts[index]
                guard let frame = PromptCompression.compress(prompts[index], against: keyframe) else { throw BenchError("zstd refused a prompt") }
                return frame
            }
        }
        var zstdFrames: [[UInt8]] = []
        let zstd = try Self.fastestPass(passes) {
            zstdFrames = try prompts.map { prompt in
                guard let frame = PromptCompression.compress(prompt) else { throw BenchError("zstd refused a prompt") }
                return frame
            }
        }
        guard let zlib = try? ZlibCompressor(algorithm: .deflate, configuration: .init(compressionLevel: .fastestCompression)) else {
            throw BenchError("zlib could not set up a deflate stream")
        }
        var deflated: [[UInt8]] = []
        let deflate = try Self.fastestPass(passes) {
            deflated = try prompts.map { prompt in
                var input = ByteBuffer(string: prompt)
                var output = ByteBuffer()
                output.reserveCapacity(zlib.maxSize(from: input))
                try zlib.deflate(from: &input, to: &output, flush: .finish)
                try zlib.reset()
                return Array(output.readableBytesView)
            }
        }
        var mismatches = 0
        let keyframedRead = try Self.fastestPass(passes) {
            mismatches = prompts.indices.filter { index in
                PromptCompression.decompress(keyframedFrames[index], against: index % interval == 0 ? nil : keyframeTexts[index]) != prompts[index]
            }.count
        }
        let zstdRead = try Self.fastestPass(passes) {
            mismatches += zip(zstdFrames, prompts).filter { PromptCompression.decompress($0) != $1 }.count
        }
        let inflateRead = try Self.fastestPass(passes) {
            mismatches += zip(deflated, prompts).filter { PromptCompression.inflate($0) != $1 }.count
        }
        guard mismatches == 0 else { throw BenchError("\(mismatches) prompts did not read back as written") }

        func perPrompt(_ seconds: Double) -> Double { seconds / Double(prompts.count) * 1e6 }
        func meanBytes(_ items: [[UInt8]]) -> Double { Double(items.reduce(0) { $0 + $1.count }) / Double(items.count) }
        let textBytes = Double(prompts.reduce(0) { $0 + $1.utf8.count }) / Double(prompts.count)
        print(String(format: #"{"benchmark":"prompt-compression","prompts":%d,"passes":%d,"prompt_bytes_mean":%.0f,"#
                     + #""zstd1_keyframes":{"compress_us":%.2f,"decompress_us":%.2f,"bytes_mean":%.0f},"#
                     + #""zstd1":{"compress_us":%.2f,"decompress_us":%.2f,"bytes_mean":%.0f},"#
                     + #""zlib1":{"compress_us":%.2f,"decompress_us":%.2f,"bytes_mean":%.0f},"compress_speedup":%.2f}"#,
                     prompts.count, passes, textBytes, perPrompt(keyframed), perPrompt(keyframedRead), meanBytes(keyframedFrames),
                     perPrompt(zstd), perPrompt(zstdRead), meanBytes(zstdFrames),
                     perPrompt(deflate), perPrompt(inflateRead), meanBytes(deflated), deflate / max(zstd, 1e-9)))
    }

    /// Records a short season with one model entrant deciding hourly and returns the prompts its
    /// ledger stored, as the API reads them.
    func recordPrompts() async throws -> [String] {
        guard let migrations = locateMigrations() else { throw BenchError("migrations/ not found: run from the repository folder") }
        guard let promptFolder = PromptLibrary.locateFolder() else { throw BenchError("prompts/ not found: run from the repository folder") }
        let library = try PromptLibrary(folder: promptFolder)
        let work = try TemporaryFolder(prefix: "prompt-compression-bench", in: URL(fileURLWithPath: folder))
        try SeasonBenchCommand.hourlyCSV(days: days).write(to: work.file("market.csv"), atomically: true, encoding: .utf8)
        let season = #"{"name": "prompts", "market": {"replay": "market.csv"}, "symbols": ["BTC", "ETH", "SOL"], "initial_capital": "10000", "repeats": 1, "seed": 1, "entrants": [{"name": "model", "driver": {"kind": "llm", "provider": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "gpt-4o-mini", "interval_seconds": 3600}}]}"#
        try season.write(to: work.file("season.json"), atomically: true, encoding: .utf8)
        let plan = try SeasonPlan.load(path: work.path("season.json"), prompts: library)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        FileHandle.standardError.write(Data("recording prompts: one model entrant on \(days) days of hourly bars...\n".utf8))
        _ = try await SeasonRunner(plan: plan, output: work.file("run"), migrations: migrations, prompts: library,
                                   models: .record(SyntheticModel()), environment: [:], logger: logger).run()
        let database = try ArenaDatabase(path: work.path("run/ledgers/repeat-1.sqlite"))
        defer { try? database.close() }
        let ledger = LedgerStore(database: database)
        return try ledger.accounts().flatMap { account in
            try ledger.decisions(of: account.id, before: nil, limit: Int.max).compactMap(\.record.prompt)
        }
    }

    /// The wall time of the fastest of `passes` runs of `body`, in seconds.
    static func fastestPass(_ passes: Int, _ body: () throws -> Void) throws -> Double {
        var fastest = Double.infinity
        for _ in 0..<passes {
            let start = ContinuousClock.now
            try body()
            fastest = min(fastest, SeasonBenchCommand.seconds(since: start))
        }
        return fastest
    }
}
