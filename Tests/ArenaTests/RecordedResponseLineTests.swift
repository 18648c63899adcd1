import ArenaTestSupport
import Foundation
import JSONCore
import LLM
import Testing
@testable import Arena

/// A rerun reads `responses.jsonl` through JSONCore's parser; it must read every line as the
/// `Decodable` conformance does, and refuse what that refuses.
@Suite("A responses file's lines")
struct RecordedResponseLineTests {
    static let lines = [
        #"{"entrant": "m", "repeat": 0, "step": 1700000000000, "call": 0, "prompt_sha256": "ab", "reply": {"text": "hold"}}"#,
        #"{"call":1,"entrant":"deepseek/cautious","prompt_sha256":"c0ffee","repeat":4,"reply":{"completion_tokens":120,"finish_reason":"tool_calls","prompt_tokens":3100,"reasoning":"trend\nup \"strong\" \u00e9 \ud83d\ude80","text":null,"tool_arguments":"{\"decisions\":[]}"},"step":-5}"#,
        #"{"entrant": "m", "repeat": 2, "step": 3, "call": 0, "prompt_sha256": "ab", "error": {"code": "timeout", "message": "no answer in 60 s", "status": null}, "extra": [1, {"x": 2}]}"#,
        #"{"entrant": "m", "repeat": 2, "step": 3, "call": 0, "prompt_sha256": "ab", "error": {"code": "http", "message": "", "status": 503}, "reply": null}"#,
        #"{"entrant": "", "repeat": 0, "step": 0, "call": 0, "prompt_sha256": "", "reply": {}}"#,
    ]

    static let refused = [
        #"{"entrant": "m", "repeat": 0}"#,
        #"{"entrant": 1, "repeat": 0, "step": 1, "call": 0, "prompt_sha256": "ab", "reply": {"text": "hold"}}"#,
        #"{"entrant": "m", "repeat": 0.5, "step": 1, "call": 0, "prompt_sha256": "ab", "reply": {"text": "hold"}}"#,
        #"{"entrant": "m", "repeat": 0, "step": 1, "call": 0, "prompt_sha256": "ab", "reply": "hold"}"#,
        #"{"entrant": "m", "repeat": 0, "step": 1, "call": 0, "prompt_sha256": "ab", "reply": {"prompt_tokens": "12"}}"#,
        #"{"entrant": "m", "repeat": 0, "step": 1, "call": 0, "prompt_sha256": "ab", "error": {"code": "x"}}"#,
        #"[1, 2]"#,
        "not json",
        "",
    ]

    @Test("every line reads as JSONDecoder reads it")
    func linesReadAsDecodableReadsThem() throws {
        for line in Self.lines {
            let expected = try JSONDecoder().decode(RecordedResponse.self, from: Data(line.utf8))
            #expect(try RecordedResponse(line: Array(line.utf8)) == expected, "\(line)")
        }
    }

    @Test("what JSONDecoder refuses is refused, with the reason")
    func badLinesAreRefused() {
        for line in Self.refused {
            #expect(throws: (any Error).self, "\(line)") { try JSONDecoder().decode(RecordedResponse.self, from: Data(line.utf8)) }
            #expect(throws: SeasonError.self, "\(line)") { try RecordedResponse(line: Array(line.utf8)) }
        }
        let missingStep = #expect(throws: SeasonError.self) {
            try RecordedResponse(line: Array(#"{"entrant": "m", "repeat": 0, "call": 0, "prompt_sha256": "ab"}"#.utf8))
        }
        #expect(missingStep?.message == "step is missing")
    }

    @Test("the responses log sorts its lines when it finishes, and refuses, naming the line, one that does not read back")
    func logRefusesUnreadableLine() throws {
        let folder = try TemporaryFolder(prefix: "responses-log")
        let path = folder.path("responses.jsonl")
        func response(_ entrant: String, step: Int64) -> RecordedResponse {
            var response = RecordedResponse(entrant: entrant, repeat: 0, step: step, call: 0, prompt_sha256: "ab")
            response.reply = RecordedResponse.Reply(text: "hold")
            return response
        }
        let log = try ResponsesLog(path: path)
        log.append(response("m", step: 2))
        log.append(response("m", step: 1))
        try log.finish()
        #expect(try SeasonResponses(path: path).count == 2)
        let sorted = try String(contentsOfFile: path, encoding: .utf8)
        #expect(sorted.components(separatedBy: "\n").map { $0.contains(#""step":1"#) } == [true, false, false])

        // As a line cut short would leave it (the log writes nothing after it).
        let broken = try ResponsesLog(path: path)
        broken.append(response("n", step: 1))
        broken.append(response("m", step: 1))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"entrant\": \"cut off".utf8))
        try handle.close()
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: SeasonError.self) { try broken.finish() }
        #expect(error?.message.hasPrefix("\(path):3: a recorded line does not read back (") == true, "\(String(describing: error))")
        #expect(error?.message.hasSuffix("the file is left as written") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == written)
    }

    @Test("a responses file splits into lines as Data.split keeps them, empty ones included")
    func lineRanges() {
        for text in ["", "\n", "a", "a\n", "a\n\nb", "\n\nab\r\ncd\n ", "é\n{\"x\": 1}"] {
            let bytes = Array(text.utf8)
            let expected = Data(bytes).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Array($0) }
            #expect(SeasonResponses.lineRanges(of: bytes).map { Array(bytes[$0]) } == expected, "\(text.debugDescription)")
        }
    }

    /// Recorded files are keyed by this hash: it must not change with how it is computed.
    @Test("a prompt's hash is the SHA-256 of the system prompt, each message and the output form, separated by NUL")
    func promptHashIsPinned() {
        let request = ChatRequest(system: "You trade.", messages: [ChatMessage(role: .user, text: "BTC at 100 é"),
                                                                  ChatMessage(role: .assistant, text: "hold")],
                                  schema: .null, output: .tool)
        #expect(RecordedResponse.promptHash(request) == "7ae9aba03ccab017022e94bc468df6fd8e7200f907aaa9a26c7a98c88a7798af")
    }
}
