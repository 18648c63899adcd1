import Arena
import ArenaTestSupport
import ArenaTestSupportSeason
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `/api/seasons` and `/api/models?season=` against `arena serve --seasons-dir` as a real process.
@Suite("Seasons over HTTP")
struct SeasonAPITests {
    /// GETs `path` and returns the status, the content type and the body.
    static func get(_ arena: ArenaProcess, _ path: String) async throws -> (Int, String?, Data) {
        let url = try #require(URL(string: arena.baseURL + path))
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type"), data)
    }

    @Test("the server lists the seasons of its folder and serves their results, reports and per-model statistics")
    func servesSeasons() async throws {
        let seasons = try TemporaryFolder(prefix: "seasons")
        let folder = seasons.url.appendingPathComponent("known")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SeasonArtifacts.write(seasonName: "known", runs: SeasonRuns.eightRepeats(), to: folder)
        // A folder without results and one with broken results are not seasons.
        try FileManager.default.createDirectory(at: seasons.url.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let broken = seasons.url.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: broken.appendingPathComponent("results.json"))
        // A rerun written beside its run shares the season's name and is listed by its own folder.
        let rerun = seasons.url.appendingPathComponent("known-rerun")
        try FileManager.default.createDirectory(at: rerun, withIntermediateDirectories: true)
        try SeasonArtifacts.write(seasonName: "known", runs: SeasonRuns.eightRepeats(), to: rerun)

        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "5", "--seasons-dir", seasons.path])
        defer { arena.terminate() }

        let (status, list) = try await arena.getJSON("/api/seasons")
        #expect(status == 200)
        let entries = try #require(list["seasons"] as? [[String: Any]])
        #expect(entries.compactMap { $0["name"] as? String }.sorted() == ["known", "known-rerun"])
        #expect(entries.allSatisfy { $0["season"] as? String == "known" })
        #expect(try await arena.getJSON("/api/seasons/known-rerun").0 == 200)
        let entry = try #require(entries.first { $0["name"] as? String == "known" })
        #expect(entry["name"] as? String == "known")
        #expect(entry["entrants"] as? Int == 3)
        #expect(entry["repeats"] as? Int == 8)
        #expect(entry["report"] as? String == "/api/seasons/known/report.html")
        let top = try #require(entry["top"] as? [[String: Any]])
        #expect(top.first?["name"] as? String == "m")
        #expect((top.first?["mean_return_pct"] as? Double).map { abs($0 - 4.375) < 1e-9 } == true)

        // results.json as written, byte for byte.
        let (resultsStatus, resultsType, results) = try await Self.get(arena, "/api/seasons/known")
        #expect(resultsStatus == 200)
        #expect(resultsType?.hasPrefix("application/json") == true)
        #expect(results == (try Data(contentsOf: folder.appendingPathComponent("results.json"))))

        let (htmlStatus, htmlType, html) = try await Self.get(arena, "/api/seasons/known/report.html")
        #expect(htmlStatus == 200)
        #expect(htmlType?.hasPrefix("text/html") == true)
        #expect(String(decoding: html, as: UTF8.self).contains("<svg"))
        let (pngStatus, pngType, png) = try await Self.get(arena, "/api/seasons/known/report.png")
        #expect(pngStatus == 200)
        #expect(pngType == "image/png")
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

        // The season's models in the shape of /api/models: the same numbers as results.json.
        let (modelsStatus, models) = try await arena.getJSON("/api/models?season=known")
        #expect(modelsStatus == 200)
        #expect(models["season"] as? String == "known")
        #expect((models["sharpe_basis"] as? String)?.contains("hourly") == true)
        let lines = try #require(models["models"] as? [[String: Any]])
        #expect(lines.map { $0["model"] as? String } == ["m", "hold"])
        let resultsObject = try #require(try JSONSerialization.jsonObject(with: results) as? [String: Any])
        let modelStatistics = try #require((resultsObject["models"] as? [[String: Any]])?.first)
        let returns = try #require((modelStatistics["metrics"] as? [String: Any])?["return_pct"] as? [String: Any])
        #expect(lines[0]["mean_return_pct"] as? Double == returns["mean"] as? Double)
        #expect(lines[0]["return_ci_low"] as? Double == returns["ci_low"] as? Double)
        #expect(lines[0]["cost_usd"] as? String == "0.24")
        #expect(lines[0]["prompt_tokens"] is NSNull)
        #expect(lines[0]["tier"] as? Int == 1 && lines[1]["tier"] as? Int == 2)

        // The live /api/models still answers without the parameter.
        let (liveStatus, live) = try await arena.getJSON("/api/models")
        #expect(liveStatus == 200)
        #expect(live["season"] == nil)
    }

    @Test("a malformed season name is a 400, an unknown one a 404, and no path leaves the folder")
    func refusesBadNames() async throws {
        let seasons = try TemporaryFolder(prefix: "seasons")
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "5", "--seasons-dir", seasons.path])
        defer { arena.terminate() }
        let cases = [
            ("/api/seasons/nope", 404), ("/api/seasons/nope/report.html", 404), ("/api/models?season=nope", 404),
            ("/api/seasons/.hidden", 400), ("/api/seasons/..%2F..%2Fetc", 400), ("/api/seasons/a%20b/report.png", 400),
            ("/api/models?season=..", 400),
        ]
        for (path, expected) in cases {
            let (status, _, body) = try await Self.get(arena, path)
            #expect(status == expected, "\(path) answered \(status)")
            let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            #expect((object?["error"] as? String)?.isEmpty == false, "\(path) gave no error message")
        }
        let (listStatus, list) = try await arena.getJSON("/api/seasons")
        #expect(listStatus == 200 && (list["seasons"] as? [Any])?.isEmpty == true)
    }
}
