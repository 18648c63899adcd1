import ArenaTestSupport
import Foundation
import Testing

/// The README's examples run: every fenced block marked `sh example` is run by `/bin/sh -e`, in
/// the README's order, against one real `arena serve` (simulated market, admin token), with
/// `ARENA_URL`, `ARENA_ADMIN_TOKEN` and `ARENA_DB` set and the built `arena` first on `PATH`.
/// Each must exit 0, and whatever it prints that looks like JSON must parse.
@Suite("The README's examples", .serialized)
struct ReadmeExamplesTests {
    struct Block {
        let line: Int
        let info: String
        let text: String
    }

    /// Every fenced code block of `markdown`, with its info string and first line number.
    static func fencedBlocks(_ markdown: String) -> [Block] {
        var blocks: [Block] = []
        var open: (line: Int, info: String, lines: [String])?
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var current = open {
                if trimmed == "```" {
                    blocks.append(Block(line: current.line, info: current.info, text: current.lines.joined(separator: "\n")))
                    open = nil
                } else {
                    current.lines.append(String(line))
                    open = current
                }
            } else if trimmed.hasPrefix("```") {
                open = (index + 1, String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces), [])
            }
        }
        return blocks
    }

    /// The JSON values in `output`: each starts with `{` or `[` at the start of a line or right
    /// after the previous value (curl prints answers back to back), and runs to its matching close.
    static func jsonValues(in output: String) -> [String] {
        var values: [String] = []
        let characters = Array(output)
        var index = 0
        var atLineStart = true
        while index < characters.count {
            let character = characters[index]
            guard atLineStart, character == "{" || character == "[" else {
                atLineStart = character == "\n"
                index += 1
                continue
            }
            var depth = 0
            var inString = false
            var escaped = false
            var end = index
            while end < characters.count {
                let c = characters[end]
                if inString {
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                } else if c == "\"" {
                    inString = true
                } else if c == "{" || c == "[" {
                    depth += 1
                } else if c == "}" || c == "]" {
                    depth -= 1
                    if depth == 0 { break }
                }
                end += 1
            }
            values.append(String(characters[index...min(end, characters.count - 1)]))
            index = end + 1
            // A value may follow straight after: curl adds no newline.
            atLineStart = true
        }
        return values
    }

    static func readme() throws -> String {
        String(decoding: try Data(contentsOf: packageFile("README.md")), as: UTF8.self)
    }

    @Test("every shell block of the README is the quick start or a runnable example, and the quick start is two commands")
    func everyShellBlockIsAnExample() throws {
        let blocks = Self.fencedBlocks(try Self.readme())
        let shell = blocks.filter { ["sh", "bash", "shell", "console"].contains($0.info.split(separator: " ").first.map(String.init) ?? "") }
        let quickStart = try #require(shell.first, "the README has no shell block")
        #expect(quickStart.info == "sh")
        #expect(quickStart.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["make run", "make test"],
                "the quick start must stay exactly make run and make test")
        for block in shell.dropFirst() {
            #expect(block.info == "sh example", "README line \(block.line): mark the block `sh example` so the suite runs it")
        }
        #expect(shell.filter { $0.info == "sh example" }.count >= 3)
    }

    @Test("every example runs against a real server and exits 0")
    func examplesRun() async throws {
        let examples = Self.fencedBlocks(try Self.readme()).filter { $0.info == "sh example" }
        try #require(!examples.isEmpty, "no sh example blocks in the README")
        let arenaBinary = try #require(arenaExecutable, "the arena executable is not built next to the tests; run make test")
        let token = "readme-token-\(UUID().uuidString)"
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "3", "--speed", "4"],
                                           environment: ["ARENA_ADMIN_TOKEN": token,
                                                         // Webhooks added through the API are stored sealed under it.
                                                         "ARENA_MASTER_KEY": String(repeating: "5a", count: 32)])
        defer { arena.terminate() }
        // The demo accounts have traded and their positions exist before the examples start.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let positions = try await arena.getJSON("/api/accounts/1/positions").1["positions"] as? [Any] ?? []
            if !positions.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        var environment = ProcessInfo.processInfo.environment
        environment["ARENA_URL"] = arena.baseURL
        environment["ARENA_ADMIN_TOKEN"] = token
        environment["ARENA_DB"] = arena.databasePath
        environment["PATH"] = arenaBinary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        for example in examples {
            let run = try ChildProcess(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-e", "-c", example.text],
                                       environment: environment, errorOutput: .captured)
            let status = await run.exited(timeout: .seconds(60))
            if status == nil { run.terminate() }
            #expect(status == 0, "README line \(example.line) exited \(status.map(String.init) ?? "never"):\n\(example.text)\n--- output:\n\(run.output.suffix(3_000))\n--- errors:\n\(run.errorOutput.suffix(2_000))")
            let values = Self.jsonValues(in: run.output)
            if example.text.contains("curl ") || example.text.contains("--json") {
                #expect(!values.isEmpty, "README line \(example.line) printed no JSON:\n\(run.output.suffix(1_000))")
            }
            for value in values {
                #expect((try? JSONSerialization.jsonObject(with: Data(value.utf8))) != nil,
                        "README line \(example.line) printed JSON that does not parse: \(value.prefix(300))")
            }
        }
    }
}
