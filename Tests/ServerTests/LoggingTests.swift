import Arena
import ArenaTestSupport
import Foundation
import Logging
import Testing

/// The log: text or JSON lines, a file rotated by size keeping N old files, and an access log that
/// never shows a token.
@Suite("Logging")
struct LoggingTests {
    static func lines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("the file rotates by size and keeps N old files, losing no line of those kept")
    func rotation() throws {
        let folder = try TemporaryFolder(prefix: "arena-log")
        let path = folder.path("arena.log")
        let sink = try LogSink.file(path: path, maximumBytes: 1_024, keep: 2)
        for index in 0..<100 { sink.write(line: "line \(String(format: "%03d", index)) " + String(repeating: "x", count: 90)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["arena.log", "arena.log.1", "arena.log.2"])
        var kept: [String] = []
        for name in ["arena.log.2", "arena.log.1", "arena.log"] {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: folder.path(name))[.size] as? Int)
            #expect(size <= 1_024, "\(name) is \(size) bytes")
            kept += Self.lines(folder.path(name))
        }
        // The newest lines, in order, without a gap.
        let numbers = kept.compactMap { Int($0.dropFirst(5).prefix(3)) }
        #expect(numbers.last == 99)
        #expect(numbers == Array((100 - numbers.count)..<100))
        #expect(numbers.count >= 20)
    }

    @Test("JSON lines parse, one object a line, with the logger's metadata as keys")
    func jsonLines() throws {
        let folder = try TemporaryFolder(prefix: "arena-log")
        let sink = try LogSink.file(path: folder.path("arena.log"), maximumBytes: 1 << 20, keep: 1)
        var logger = Logger(label: "arena") { label in ArenaLogHandler(label: label, level: .debug, format: .json, sink: sink) }
        logger[metadataKey: "account.id"] = "7"
        logger.info("order rejected", metadata: ["order.cloid": "0x00ab", "reason": "a \"quoted\"\nreason"])
        logger.debug("decision stored", metadata: ["decision.id": "42", "actions": ["open_long BTC", "hold ETH"]])
        logger.trace("not written")
        let lines = Self.lines(folder.path("arena.log"))
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["level"] as? String == "info")
        #expect(first["logger"] as? String == "arena")
        #expect(first["message"] as? String == "order rejected")
        #expect(first["account.id"] as? String == "7")
        #expect(first["order.cloid"] as? String == "0x00ab")
        #expect(first["reason"] as? String == "a \"quoted\"\nreason")
        #expect((first["ts"] as? String)?.hasSuffix("Z") == true)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["decision.id"] as? String == "42")
        #expect(second["actions"] as? [String] == ["open_long BTC", "hold ETH"])
    }

    @Test("arena serve --log-format json --log-file: JSON lines, rotated files, an access log without the token")
    func serverLog() async throws {
        let folder = try TemporaryFolder(prefix: "arena-log")
        let path = folder.path("arena.log")
        let token = "access-log-secret-token-93c1"
        let arena = try await ArenaProcess(
            arguments: ["--market", "sim", "--log-format", "json", "--log-file", path, "--log-max-bytes", "4096", "--log-keep", "2"],
            environment: ["ARENA_ADMIN_TOKEN": token])
        // Requests carrying the token in the header, a wrong one, and secrets in the query string.
        for _ in 0..<30 {
            _ = try await arena.send("GET", "/api/accounts/1/audit?limit=5", token: token)
            _ = try await arena.send("POST", "/api/kill-switch?api_key=query-secret-77", body: #"{"reason":"test"}"#, token: token + "-wrong")
            _ = try await arena.getJSON("/api/leaderboard?token=query-secret-77")
        }
        #expect(await arena.stop() == 0, "arena did not exit cleanly: \(arena.log)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["arena.log", "arena.log.1", "arena.log.2"], "rotated files: \(names)")
        var access: [[String: Any]] = []
        for name in names {
            let text = String(decoding: try #require(FileManager.default.contents(atPath: folder.path(name))), as: UTF8.self)
            #expect(!text.contains(token), "the token is in \(name)")
            #expect(!text.contains("query-secret-77"), "a query secret is in \(name)")
            #expect(!text.contains("Bearer"))
            for line in text.split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
                if object["log"] as? String == "access" { access.append(object) }
            }
        }
        #expect(access.contains { $0["http.route"] as? String == "/api/accounts/{id}/audit" && $0["http.status"] as? String == "200"
            && $0["http.method"] as? String == "GET" && $0["client"] as? String == "127.0.0.1" && $0["duration_ms"] != nil })
        #expect(access.contains { $0["http.route"] as? String == "/api/kill-switch" && $0["http.status"] as? String == "401" })
        #expect(access.contains { $0["http.route"] as? String == "/api/leaderboard" })
        // Nothing went to the terminal but the listening line.
        #expect(!arena.log.contains("\"level\""))
    }

    @Test("--log-format is checked")
    func badFormat() async throws {
        await #expect(throws: (any Error).self) {
            try await ArenaProcess(arguments: ["--market", "sim", "--log-format", "xml"], timeout: 10)
        }
    }
}
