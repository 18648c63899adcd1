import Foundation
import Testing
@testable import Hyperliquid

/// Runs the built `arena` executable, which sits beside the test bundle in the build products.
@Suite("arena hyperliquid sign")
struct SignCommandTests {
    static let executable: URL? = {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidate = testBinary.deletingLastPathComponent().appendingPathComponent("arena")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }()

    /// Feeds `input` to `arena hyperliquid sign` and returns standard output and the exit status.
    static func run(_ input: Data) async throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = try #require(executable)
        process.arguments = ["hyperliquid", "sign"]
        let standardInput = Pipe()
        let standardOutput = Pipe()
        process.standardInput = standardInput
        process.standardOutput = standardOutput
        try process.run()
        // Write from another thread so a full output pipe cannot deadlock the writer.
        let writer = Thread {
            standardInput.fileHandleForWriting.write(input)
            try? standardInput.fileHandleForWriting.close()
        }
        writer.start()
        // Read on a thread of its own too: a blocking read on the task pool would stall other tests.
        let output: Data = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: standardOutput.fileHandleForReading.readDataToEndOfFile()) }.start()
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return (String(decoding: output, as: UTF8.self), process.terminationStatus)
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
