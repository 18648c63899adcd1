import Foundation

/// What a season leaves in its output folder besides the runner's own files: `results.json`
/// (every statistic, machine-readable: `SeasonStatistics`), `report.html` and `report.png`.
public enum SeasonArtifacts {
    /// The files `write` leaves, by name.
    public static let resultsFile = "results.json"
    public static let reportFile = "report.html"
    public static let chartFile = "report.png"

    /// Writes the season's statistics and report for `runs` into `folder`; the same runs always
    /// give the same bytes.
    /// - Throws: `EncodingError` or `CompressNIOError` if the results or the chart cannot be
    ///   encoded, or the file system's error if a file cannot be written.
    public static func write(seasonName: String, runs: [SeasonEntrantRun], to folder: URL) throws {
        let statistics = SeasonStatistics(season: seasonName, runs: runs)
        let chart = SeasonChart(runs: runs, ranking: statistics.ranking)
        try results(statistics).write(to: folder.appendingPathComponent(resultsFile), options: .atomic)
        try Data(SeasonReport.html(statistics, chart: chart).utf8).write(to: folder.appendingPathComponent(reportFile), options: .atomic)
        try Data(SeasonReport.raster(chart).png()).write(to: folder.appendingPathComponent(chartFile), options: .atomic)
    }

    /// `results.json`'s bytes: compact JSON with sorted keys, every absent value as null (as the
    /// API writes), a final newline.
    static func results(_ statistics: SeasonStatistics) throws -> Data {
        Data((try JSON.encodeResponse(statistics) + "\n").utf8)
    }
}
