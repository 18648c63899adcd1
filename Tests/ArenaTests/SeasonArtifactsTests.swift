import ArenaCore
import ArenaTestSupport
import ArenaTestSupportSeason
import CompressNIO
import Foundation
import JSONCore
import NIOCore
import Testing
@testable import Arena

@Suite("Season artifacts: results.json, report.html, report.png")
struct SeasonArtifactsTests {
    static let files = ["results.json", "report.html", "report.png"]

    /// CRC-32 bit by bit, independent of the table the encoder uses.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 { bytes.reduce(0) { $0 << 8 | UInt32($1) } }

    static func runsWithAFailure() -> [SeasonEntrantRun] {
        SeasonRuns.eightRepeats().map {
            $0.entrant == "m/cautious" && $0.repeatIndex == 0 ? SeasonRuns.run("m/cautious", repeat: 0, returnPct: 0, failure: "provider down <503>") : $0
        }
    }

    @Test("runs.json joined from runs encoded one by one is the runs' array encoded whole, byte for byte")
    func runsFileFromEncodedRuns() throws {
        let runs = Self.runsWithAFailure()
        let whole = try JSONTextEncoder(sortedKeys: true, escapesSlashes: false).encodeData(runs)
        var texts: [Int: [String: [UInt8]]] = [:]
        for run in runs { texts[run.repeatIndex, default: [:]][run.entrant] = try RunsFile.encode(run) }
        #expect(try RunsFile.joined(runs, texts: texts) == whole)
        // A run whose text is missing is encoded then.
        let withoutOne = texts.mapValues { $0.filter { $0.key != runs[1].entrant } }
        #expect(try RunsFile.joined(runs, texts: withoutOne) == whole)
        #expect(try RunsFile.joined(runs, texts: [:]) == whole)
        #expect(try RunsFile.joined([], texts: texts) == Data("[]".utf8))
    }

    @Test("the same runs give the same bytes, whatever their order")
    func sameRunsSameBytes() throws {
        let folder = try TemporaryFolder()
        let first = folder.url.appendingPathComponent("a"), second = folder.url.appendingPathComponent("b")
        for url in [first, second] { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        let runs = Self.runsWithAFailure()
        try SeasonArtifacts.write(seasonName: "s1", runs: runs, to: first)
        try SeasonArtifacts.write(seasonName: "s1", runs: runs.reversed(), to: second)
        for file in Self.files {
            let a = try Data(contentsOf: first.appendingPathComponent(file)), b = try Data(contentsOf: second.appendingPathComponent(file))
            #expect(!a.isEmpty)
            #expect(a == b, "\(file) differs between two writes")
        }
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: first.appendingPathComponent("results.json"))) as? [String: Any])
        #expect(results["season"] as? String == "s1")
        for key in ["entrants", "models", "comparisons", "ranking", "failures", "runs", "method", "repeats"] {
            #expect(results[key] != nil, "results.json lacks \(key)")
        }
        #expect((results["failures"] as? [[String: Any]])?.first?["entrant"] as? String == "m/cautious")
    }

    @Test("report.png is a valid PNG: signature, IHDR, every CRC, and zlib data of height × (width × 4 + 1) bytes")
    func pngDecodes() throws {
        let folder = try TemporaryFolder()
        try SeasonArtifacts.write(seasonName: "s1", runs: Self.runsWithAFailure(), to: folder.url)
        let bytes = [UInt8](try Data(contentsOf: folder.url.appendingPathComponent("report.png")))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var offset = 8
        var chunks: [(type: String, data: [UInt8])] = []
        while offset + 12 <= bytes.count {
            let length = Int(Self.bigEndian(bytes[offset..<(offset + 4)]))
            let typed = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let crc = Self.bigEndian(bytes[(offset + 8 + length)..<(offset + 12 + length)])
            #expect(crc == Self.crc32(typed), "bad CRC")
            chunks.append((String(decoding: typed.prefix(4), as: UTF8.self), Array(typed.dropFirst(4))))
            offset += 12 + length
        }
        #expect(offset == bytes.count)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        let header = chunks[0].data
        let width = Int(Self.bigEndian(header[0..<4])), height = Int(Self.bigEndian(header[4..<8]))
        #expect(width == 960 && height == 480)
        #expect(Array(header[8...]) == [8, 6, 0, 0, 0])
        var compressed = ByteBuffer(bytes: chunks[1].data)
        let raw = try compressed.decompress(with: .zlib(), maxSize: 64 << 20)
        #expect(raw.readableBytes == height * (width * 4 + 1))
        // Something was drawn: more than the white background.
        let pixels = Array(raw.readableBytesView)
        let coloured = stride(from: 0, to: pixels.count - 4, by: 4).filter { pixels[$0] != 255 || pixels[$0 + 1] != 255 }.count
        #expect(coloured > 1_000)
    }

    @Test("report.html is self-contained and shows the ranking, the intervals, the costs and the failures")
    func htmlIsSelfContained() throws {
        let folder = try TemporaryFolder()
        try SeasonArtifacts.write(seasonName: "s<1>", runs: Self.runsWithAFailure(), to: folder.url)
        let html = try String(contentsOf: folder.url.appendingPathComponent("report.html"), encoding: .utf8)
        for forbidden in ["src=", "href=", "<link", "<script", "url(", "@import"] {
            #expect(!html.contains(forbidden), "the report loads something: \(forbidden)")
        }
        #expect(html.contains("<svg"))
        #expect(html.contains("<polygon"))
        #expect(html.contains("Season s&lt;1&gt;"))
        #expect(html.contains("provider down &lt;503&gt;"))
        #expect(html.contains("Ranking"))
        #expect(html.contains("model cost"))
        #expect(html.contains("[")) // intervals
    }

    @Test("a season without runs, or with only failed ones, still writes its three files")
    func emptySeasons() throws {
        for runs in [[], [SeasonRuns.run("hold", repeat: 0, returnPct: 0, failure: "provider down")]] {
            let folder = try TemporaryFolder()
            try SeasonArtifacts.write(seasonName: "empty", runs: runs, to: folder.url)
            for file in Self.files { #expect(FileManager.default.fileExists(atPath: folder.path(file)), "\(file) missing") }
            let results = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.file("results.json"))) as? [String: Any]
            #expect(results?["season"] as? String == "empty")
            #expect((results?["failures"] as? [Any])?.count == runs.count)
        }
    }
}
