import ArenaTestSupport
import Foundation
import Testing
@testable import Hyperliquid

/// Runs the built `arena` executable, which sits beside the test bundle in the build products.
@Suite("arena hyperliquid sign")
struct SignCommandTests {
    static let executable = builtProduct("arena")

    /// Feeds `input` to `arena hyperliquid sign` and returns standard output and the exit status.
    static func run(_ input: Data) async throws -> (output: String, status: Int32) {
        let child = try ChildProcess(executable: try #require(executable), arguments: ["hyperliquid", "sign"], errorOutput: .inherited)
        child.send(input)
        let status = await child.exited()
        return (child.output, status ?? -1)
    }

    @Test("every vector on standard input gives its exact line; bad, oversized and CRLF lines are handled in place",
          .enabled(if: executable != nil, "the arena executable is not built next to the test bundle"))
    func vectorsThroughTheExecutable() async throws {
        var lines = SigningVectors.lines
        var expected = SigningVectors.all.map(\.expectedOutputLine)
        lines.insert("not json", at: 2)
        expected.insert(#"{"error":"invalid JSON: invalid literal at byte 0"}"#, at: 2)
        lines.insert(String(repeating: "x", count: SigningLineProcessor.maximumLineBytes + 10), at: 4)
        expected.insert(SigningLineProcessor.oversizedLineResponse, at: 4)
        lines[0] += "\r"
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)

        let result = try await Self.run(input)
        #expect(result.status == 0)
        let outputLines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(outputLines.last == "")
        #expect(Array(outputLines.dropLast()) == expected)
    }

    @Test("a last line without a newline is still answered",
          .enabled(if: executable != nil, "the arena executable is not built next to the test bundle"))
    func lastLineWithoutNewline() async throws {
        let vector = SigningVectors.all[0]
        let result = try await Self.run(Data(SigningVectors.json(vector.raw).utf8))
        #expect(result.status == 0)
        #expect(result.output == vector.expectedOutputLine + "\n")
    }
}
