import Arena
import ArgumentParser
import Foundation
import LLM
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `arena season`: fair, repeatable model comparisons (`docs/SEASONS.md`).
struct SeasonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "season",
        abstract: "Run a season (every entrant, every repeat, on a replayed market) or rerun it from its recorded responses.",
        subcommands: [SeasonRunCommand.self, SeasonRerunCommand.self])
}

/// The options `run` and `rerun` share.
struct SeasonOptions: ParsableArguments {
    @Argument(help: "The season file (JSON, docs/SEASONS.md).")
    var file: String

    @Option(help: "The output folder (default: seasons/NAME).")
    var out: String?

    @Option(help: "Repeats run at once (default: all of them, up to 8); each uses about one core and holds its ledger in memory.")
    var parallel: Int?

    @Option(help: "The migrations folder (default: found beside the binary or in the current folder).")
    var migrations: String?

    @Option(name: .customLong("log-level"), help: "The least severe log level shown on stderr: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "error"

    func validate() throws {
        if let parallel, !(1...64).contains(parallel) { throw ValidationError("--parallel must be 1 to 64") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical") }
    }

    /// Loads the season file, the prompts and the migrations, and runs the season with a progress bar.
    func run(models: (SeasonPlan) throws -> SeasonRunner.Models) async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .error
        LoggingSystem.bootstrap { label in ArenaLogHandler(label: label, level: level, format: .text, sink: .standardError()) }
        guard let promptFolder = PromptLibrary.locateFolder() else {
            throw ValidationError("The prompts folder was not found; run arena from the repository folder.")
        }
        let prompts = try PromptLibrary(folder: promptFolder)
        let plan: SeasonPlan
        do {
            plan = try SeasonPlan.load(path: file, prompts: prompts)
        } catch let error as SeasonError {
            throw ValidationError(error.message)
        }
        let folder = URL(fileURLWithPath: out ?? "seasons/\(plan.name)")
        let runner = SeasonRunner(plan: plan, output: folder, migrations: try migrationsFolder(migrations), prompts: prompts,
                                  models: try models(plan), parallelRepeats: parallel, logger: Logger(label: "season"))
        let bar = ProgressBar(label: "season \(plan.name)")
        let outcome: SeasonRunner.Outcome
        do {
            outcome = try await runner.run { bar.show($0) }
        } catch let error as SeasonError {
            bar.finish()
            throw ValidationError(error.message)
        }
        bar.finish()
        let failed = outcome.runs.filter { $0.failure != nil }
        print("season \(plan.name): \(plan.entrants.count) entrants x \(plan.repeats.count) repeats, \(failed.count) failed runs; results in \(folder.path)")
        for run in failed { print("  failed: \(run.entrant) repeat \(run.repeatIndex + 1): \(run.failure ?? "")") }
        print("ledger sha256 \(outcome.digest)")
    }
}

struct SeasonRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every repeat of a season at full speed, recording every model response in OUT/responses.jsonl.")

    @OptionGroup var options: SeasonOptions

    func run() async throws {
        try await options.run { _ in
            do {
                return .record(try ModelClient())
            } catch {
                throw ValidationError("the model client could not start: \(error)")
            }
        }
    }
}

struct SeasonRerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Rerun a season from a run's recorded responses: no model is called; the ledger checksum and results.json equal the run's.")

    @OptionGroup var options: SeasonOptions

    @Option(help: "The responses file of a season run (DIR/responses.jsonl).")
    var responses: String

    func run() async throws {
        try await options.run { _ in
            do {
                return .replay(try SeasonResponses(path: responses), path: responses)
            } catch let error as SeasonError {
                throw ValidationError(error.message)
            }
        }
    }
}

/// The season's progress on stderr: a bar redrawn in place on a terminal, a plain line every
/// tenth of the way otherwise.
final class ProgressBar: Sendable {
    private let label: String
    private let started = ContinuousClock.now
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastMark = Mutex<Int>(-1)

    init(label: String) {
        self.label = label
    }

    func show(_ progress: SeasonRunner.Progress) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let eta = progress.fraction > 0.001 ? Self.duration(seconds / progress.fraction - seconds) : "?"
        let percent = Int(progress.fraction * 100)
        let done = "\(progress.finishedRepeats)/\(progress.totalRepeats) repeats"
        if isTerminal {
            let width = 30
            let filled = min(width, Int(progress.fraction * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write("\r\(label) [\(bar)] \(percent)% \(done), elapsed \(Self.duration(seconds)), ETA \(eta)   ")
        } else {
            // A line at each tenth of the way and at each finished repeat.
            let mark = percent / 10 * 10_000 + progress.finishedRepeats
            let due = lastMark.withLock { last in
                guard mark > last else { return false }
                last = mark
                return true
            }
            if due { write("\(label): \(percent)% (\(done)), elapsed \(Self.duration(seconds)), ETA \(eta)\n") }
        }
    }

    func finish() {
        if isTerminal { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
