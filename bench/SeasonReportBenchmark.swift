import Arena
import ArenaCore
import ArenaTestSupport
import ArgumentParser
import Foundation

/// `arena-bench season-report`: how long `SeasonArtifacts.write` (the statistics with their
/// bootstrap intervals and p-values, results.json, the HTML report and the PNG) takes for a season
/// the size of issue #18's benchmark: a year of hourly equity, ten models of four prompt variants,
/// four baselines, five repeats. The runs are seeded random walks, so every run is the same work.
struct SeasonReportBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "season-report", abstract: "Season statistics and report of a large season.")

    @Option(help: "Models, each with --variants prompt variants.")
    var models = 10
    @Option(help: "Prompt variants per model.")
    var variants = 4
    @Option(help: "Baselines.")
    var baselines = 4
    @Option(help: "Repeats.")
    var repeats = 5
    @Option(help: "Hours of market time per run.")
    var hours = 24 * 365

    func validate() throws {
        guard models >= 0, variants > 0, baselines >= 0, models + baselines > 0, (1...1_000).contains(repeats), (1...100_000).contains(hours) else {
            throw ValidationError("counts must be positive (repeats up to 1000, hours up to 100000)")
        }
    }

    func run() async throws {
        var names: [(entrant: String, model: String?, variant: String?)] = []
        for model in 0..<models {
            for variant in 0..<variants { names.append(("model\(model)/variant\(variant)", "model\(model)", "variant\(variant)")) }
        }
        for baseline in 0..<baselines { names.append(("baseline\(baseline)", nil, nil)) }
        let start: Int64 = 1_767_225_600_000
        var runs: [SeasonEntrantRun] = []
        for (index, name) in names.enumerated() {
            for repeatIndex in 0..<repeats {
                var generator = SeededGenerator(seed: UInt64(index * 1_000 + repeatIndex))
                var equity = 10_000.0
                var points: [SeasonEntrantRun.EquityPoint] = []
                points.reserveCapacity(hours + 1)
                for hour in 0...hours {
                    if hour > 0 { equity *= 1 + (generator.nextUnit() - 0.499) * 0.01 }
                    points.append(SeasonEntrantRun.EquityPoint(time: Timestamp(milliseconds: start + Int64(hour) * 3_600_000),
                                                               equity: FixedDecimal(approximating: equity) ?? .zero))
                }
                let trades = (0..<(hours / 24)).map { _ in FixedDecimal(approximating: (generator.nextUnit() - 0.45) * 50) ?? .zero }
                runs.append(SeasonEntrantRun(entrant: name.entrant, model: name.model, variant: name.variant, repeatIndex: repeatIndex,
                                             seed: UInt64(repeatIndex), failure: nil, initialCapital: 10_000, hourlyEquity: points,
                                             closedTradePnL: trades, fees: 12, modelCostUSD: name.model == nil ? .zero : 3,
                                             decisions: hours / 4, failedDecisions: 0))
            }
        }
        let folder = try TemporaryFolder(prefix: "season-report-bench")
        FileHandle.standardError.write(Data("writing the statistics and report of \(runs.count) runs of \(hours) hours...\n".utf8))
        let began = ContinuousClock.now
        try SeasonArtifacts.write(seasonName: "bench", runs: runs, to: folder.url)
        let elapsed = ContinuousClock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        func size(_ name: String) -> Int { (try? Data(contentsOf: folder.file(name)).count) ?? 0 }
        print(String(format: #"{"benchmark":"season-report","entrants":%d,"repeats":%d,"hours":%d,"runs":%d,"seconds":%.3f,"#
                     + #""results_json_bytes":%d,"report_html_bytes":%d,"report_png_bytes":%d}"#,
                     names.count, repeats, hours, runs.count, seconds, size("results.json"), size("report.html"), size("report.png")))
    }
}
