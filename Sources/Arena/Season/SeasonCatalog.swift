import Foundation

/// The seasons in a folder (`arena serve --seasons-dir`): each subfolder holding a `results.json`
/// is a season, named by its folder (`arena season run` writes `seasons/NAME` unless told
/// otherwise, so a rerun beside its run is a season of its own). What the server lists and serves.
public struct SeasonCatalog: Sendable {
    /// The folder the seasons' folders are in.
    public let folder: URL

    /// `results.json` files larger than this are not read (a season of a hundred entrants and a
    /// thousand repeats stays far below).
    public static let maximumResultsBytes = 64 << 20

    /// A season as listed.
    public struct Listing: Sendable, Hashable, Encodable {
        /// The season's folder: what `/api/seasons/{name}` takes.
        public var name: String
        /// The season file's name (`results.json`'s `season`); several folders may share it.
        public var season: String
        /// When its `results.json` was written, in milliseconds since 1970.
        public var created: Int64
        public var entrants: Int
        public var repeats: Int
        public var failed_runs: Int
        /// The first rows of its ranking.
        public var top: [SeasonStatistics.RankingRow]
        public var report: String
        public var chart: String
    }

    /// A season found: its folder and its statistics.
    public struct Season: Sendable {
        public var folder: URL
        /// The folder's name.
        public var name: String
        public var statistics: SeasonStatistics
        /// `results.json` exactly as written.
        public var results: Data
        public var created: Int64
    }

    /// Ranking rows shown in a listing.
    public static let topRows = 3

    public init(folder: URL) { self.folder = folder }

    /// Whether `name` can name a season: 1 to 64 ASCII letters, digits, '-', '_' or '.', not starting
    /// with '.' (the rule of the season file, which names the output folder).
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count) && !name.hasPrefix(".") && name.unicodeScalars.allSatisfy(nameCharacters.contains)
    }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.".unicodeScalars)

    /// Every season in the folder, newest first (ties by name); none when the folder does not exist.
    /// Subfolders without a readable `results.json` are skipped.
    public func seasons() -> [Season] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else { return [] }
        var found: [Season] = []
        for name in names.sorted() where Self.isValidName(name) {
            let subfolder = folder.appendingPathComponent(name, isDirectory: true)
            let results = subfolder.appendingPathComponent(SeasonArtifacts.resultsFile)
            guard let attributes = try? manager.attributesOfItem(atPath: results.path),
                  let size = attributes[.size] as? NSNumber, size.intValue <= Self.maximumResultsBytes,
                  let data = try? Data(contentsOf: results),
                  let statistics = try? JSONDecoder().decode(SeasonStatistics.self, from: data),
                  Self.isValidName(statistics.season) else { continue }
            let modified = (attributes[.modificationDate] as? Date).map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) } ?? 0
            found.append(Season(folder: subfolder, name: name, statistics: statistics, results: data, created: modified))
        }
        return found.sorted { $0.created != $1.created ? $0.created > $1.created : $0.name < $1.name }
    }

    /// The season named `name`, or nil.
    public func season(named name: String) -> Season? {
        guard Self.isValidName(name) else { return nil }
        return seasons().first { $0.name == name }
    }

    /// The listing of `season`.
    public static func listing(_ season: Season) -> Listing {
        let statistics = season.statistics
        let base = "/api/seasons/\(season.name)"
        return Listing(name: season.name, season: statistics.season, created: season.created, entrants: statistics.entrants.count, repeats: statistics.repeats,
                       failed_runs: statistics.failures.count, top: Array(statistics.ranking.prefix(topRows)),
                       report: "\(base)/\(SeasonArtifacts.reportFile)", chart: "\(base)/\(SeasonArtifacts.chartFile)")
    }
}
