import ArenaCore
import Custody
import Foundation
import JSONCore
import LLM
import Synchronization

/// One model call of a season as `responses.jsonl` keeps it: which entrant, repeat, decision
/// (`step`, its market time in milliseconds) and call of that decision, the SHA-256 of the
/// prompt sent, and what came back (a reply or the provider's error).
public struct RecordedResponse: Sendable, Codable, Hashable {
    public struct Reply: Sendable, Codable, Hashable {
        public var text: String?
        public var tool_arguments: String?
        public var reasoning: String?
        public var prompt_tokens: Int?
        public var completion_tokens: Int?
        public var finish_reason: String?
    }

    public struct Failure: Sendable, Codable, Hashable {
        public var code: String
        public var message: String
        public var status: Int?
    }

    public var entrant: String
    public var `repeat`: Int
    public var step: Int64
    public var call: Int
    public var prompt_sha256: String
    public var reply: Reply?
    public var error: Failure?

    /// What a recorded answer is found by.
    struct Key: Hashable {
        var entrant: String
        var `repeat`: Int
        var step: Int64
        var call: Int
        var promptHash: String
    }

    var key: Key { Key(entrant: entrant, repeat: `repeat`, step: step, call: call, promptHash: prompt_sha256) }

    /// Reads one line of a responses file as `Decodable` would (unknown members ignored, null as
    /// absent), through JSONCore's parser: a year's hundred thousand lines are read before any
    /// repeat can start, and Foundation's decoder took most of a second of both cores for them.
    /// - Throws: `SeasonError` naming what is missing or of the wrong kind.
    init(line: [UInt8]) throws {
        let json: JSONValue
        do {
            json = try JSONParser.parse(utf8: line, limits: .init(maximumDepth: 8, maximumBytes: 16 << 20))
        } catch {
            throw SeasonError("\(error)")
        }
        guard case .object = json else { throw SeasonError("not a JSON object") }
        entrant = try Self.string(json, "entrant")
        `repeat` = try Self.integer(json, "repeat")
        step = try Self.integer(json, "step")
        call = try Self.integer(json, "call")
        prompt_sha256 = try Self.string(json, "prompt_sha256")
        if let reply = Self.present(json, "reply") {
            guard case .object = reply else { throw SeasonError("reply is not an object") }
            self.reply = Reply(text: try Self.optionalString(reply, "text"), tool_arguments: try Self.optionalString(reply, "tool_arguments"),
                               reasoning: try Self.optionalString(reply, "reasoning"),
                               prompt_tokens: try Self.optionalInteger(reply, "prompt_tokens"),
                               completion_tokens: try Self.optionalInteger(reply, "completion_tokens"),
                               finish_reason: try Self.optionalString(reply, "finish_reason"))
        }
        if let failure = Self.present(json, "error") {
            guard case .object = failure else { throw SeasonError("error is not an object") }
            error = Failure(code: try Self.string(failure, "code"), message: try Self.string(failure, "message"),
                            status: try Self.optionalInteger(failure, "status"))
        }
    }

    private static func present(_ object: JSONValue, _ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    private static func optionalString(_ object: JSONValue, _ key: String) throws -> String? {
        guard let value = present(object, key) else { return nil }
        guard case .string(let text) = value else { throw SeasonError("\(key) is \(value.kindName), not a string") }
        return text
    }

    private static func string(_ object: JSONValue, _ key: String) throws -> String {
        guard let text = try optionalString(object, key) else { throw SeasonError("\(key) is missing") }
        return text
    }

    private static func optionalInteger<Integer: FixedWidthInteger>(_ object: JSONValue, _ key: String) throws -> Integer? {
        guard let value = present(object, key) else { return nil }
        guard case .number(let text) = value, let integer = Integer(text) else { throw SeasonError("\(key) is not an integer") }
        return integer
    }

    private static func integer<Integer: FixedWidthInteger>(_ object: JSONValue, _ key: String) throws -> Integer {
        guard let integer: Integer = try optionalInteger(object, key) else { throw SeasonError("\(key) is missing") }
        return integer
    }

    /// The SHA-256 of everything a call sends that the answer depends on: the system prompt, the
    /// conversation and the output form.
    static func promptHash(_ request: ChatRequest) -> String {
        var parts = [request.system]
        parts.reserveCapacity(2 + 2 * request.messages.count)
        for message in request.messages {
            parts.append("\u{0}\(message.role.rawValue)\u{0}")
            parts.append(message.text)
        }
        parts.append("\u{0}\(request.output.rawValue)")
        return TokenDigest.sha256Hex(ofConcatenated: parts)
    }
}

/// The recorded answers of a season, loaded from its `responses.jsonl` for a rerun.
public final class SeasonResponses: Sendable {
    private let answers: [RecordedResponse.Key: RecordedResponse]
    /// How many lines the file held.
    public let count: Int

    /// Reads a responses file.
    /// - Throws: `SeasonError` naming the line that is not a recorded response.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SeasonError("\(path): cannot read the responses file; give the responses.jsonl of a season run")
        }
        // A year's season holds a hundred thousand lines, decoded before any repeat can start:
        // in slices on every core.
        let bytes = [UInt8](data)
        let lines = Self.lineRanges(of: bytes)
        let sliceCount = max(1, min(lines.count / 1_000, ProcessInfo.processInfo.activeProcessorCount * 4))
        let slices = Mutex<[Int: Result<[RecordedResponse], SeasonError>]>([:])
        DispatchQueue.concurrentPerform(iterations: sliceCount) { slice in
            let range = (lines.count * slice / sliceCount)..<(lines.count * (slice + 1) / sliceCount)
            var responses: [RecordedResponse] = []
            responses.reserveCapacity(range.count)
            for index in range {
                let line = bytes[lines[index]]
                if Self.isBlank(line) { continue }
                let response: RecordedResponse
                do {
                    response = try RecordedResponse(line: Array(line))
                    guard (response.reply == nil) != (response.error == nil) else { throw SeasonError("it needs exactly one of reply and error") }
                } catch {
                    slices.withLock { $0[slice] = .failure(SeasonError("\(path):\(index + 1): not a recorded response (\(error)); each line is one JSON object with entrant, repeat, step, call, prompt_sha256 and a reply or an error")) }
                    return
                }
                responses.append(response)
            }
            slices.withLock { $0[slice] = .success(responses) }
        }
        var answers: [RecordedResponse.Key: RecordedResponse] = [:]
        answers.reserveCapacity(lines.count)
        let decoded = slices.withLock { $0 }
        for slice in 0..<sliceCount {
            // Slices in file order: a later line with the same key replaces an earlier one, and the
            // first bad line is the one reported.
            for response in try decoded[slice, default: .success([])].get() { answers[response.key] = response }
        }
        self.answers = answers
        count = answers.count
    }

    func answer(for key: RecordedResponse.Key) -> RecordedResponse? { answers[key] }

    /// Whether a line holds nothing but spaces and carriage returns (skipped, like the empty text
    /// after the last line break).
    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }
    }

    /// Where each line of `bytes` is, without its `\n` (the text after the last one is a line too).
    /// Found with `memchr`: splitting `Data` as a generic collection took over a second of a year's file load.
    static func lineRanges(of bytes: [UInt8]) -> [Range<Int>] {
        bytes.withUnsafeBytes { buffer in
            var ranges: [Range<Int>] = []
            guard let base = buffer.baseAddress else { return [0..<0] }
            var start = 0
            while start <= buffer.count {
                let end = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start)
                    .map { base.distance(to: UnsafeRawPointer($0)) } ?? buffer.count
                ranges.append(start..<end)
                start = end + 1
            }
            return ranges
        }
    }
}

/// The model calls of one repeat: recorded on the way to the provider during a run, answered from
/// the responses file during a rerun (no call leaves the process).
final class SeasonModelTransport: ModelTransport {
    enum Mode: Sendable {
        case record(any ModelTransport, ResponsesLog)
        case replay(SeasonResponses)
    }

    private let mode: Mode
    private let repeatIndex: Int
    /// The entrant of each account of this repeat's ledger.
    private let entrants = Mutex<[AccountID: String]>([:])
    /// Calls with no recorded answer, by entrant (a rerun whose prompts differ from the run's).
    private let missing = Mutex<[String: Int]>([:])

    init(mode: Mode, repeatIndex: Int) {
        self.mode = mode
        self.repeatIndex = repeatIndex
    }

    func name(_ account: AccountID, as entrant: String) {
        entrants.withLock { $0[account] = entrant }
    }

    /// Calls with no recorded answer, by entrant.
    var missingAnswers: [String: Int] { missing.withLock { $0 } }

    func complete(_ request: ChatRequest, configuration: ModelConfiguration, call: ModelCall) async throws -> ChatReply {
        guard let entrant = entrants.withLock({ $0[call.account] }) else {
            throw LLMError(.transport, "account \(call.account.rawValue) is not an entrant of this season")
        }
        let key = RecordedResponse.Key(entrant: entrant, repeat: repeatIndex, step: call.marketTime.milliseconds, call: call.index,
                                       promptHash: RecordedResponse.promptHash(request))
        switch mode {
        case .replay(let responses):
            guard let recorded = responses.answer(for: key) else {
                missing.withLock { $0[entrant, default: 0] += 1 }
                throw LLMError(.transport, "no recorded answer for \(entrant), repeat \(repeatIndex + 1), step \(key.step), call \(key.call) with prompt sha256 \(key.promptHash) in the responses file: this entrant's prompts differ from the run's")
            }
            if let reply = recorded.reply {
                return ChatReply(text: reply.text, toolArguments: reply.tool_arguments, reasoning: reply.reasoning, promptTokens: reply.prompt_tokens,
                                 completionTokens: reply.completion_tokens, finishReason: reply.finish_reason)
            }
            let failure = recorded.error ?? RecordedResponse.Failure(code: LLMError.Code.transport.rawValue, message: "recorded without an answer")
            throw LLMError(LLMError.Code(rawValue: failure.code) ?? .transport, failure.message, status: failure.status)
        case .record(let inner, let log):
            var response = RecordedResponse(entrant: entrant, repeat: repeatIndex, step: key.step, call: key.call, prompt_sha256: key.promptHash)
            do {
                let reply = try await inner.complete(request, configuration: configuration, call: call)
                response.reply = RecordedResponse.Reply(text: reply.text, tool_arguments: reply.toolArguments, reasoning: reply.reasoning,
                                                        prompt_tokens: reply.promptTokens, completion_tokens: reply.completionTokens,
                                                        finish_reason: reply.finishReason)
                log.append(response)
                return reply
            } catch let error as LLMError {
                response.error = RecordedResponse.Failure(code: error.code.rawValue, message: error.message, status: error.status)
                log.append(response)
                throw error
            }
        }
    }
}

extension RecordedResponse {
    init(entrant: String, repeat: Int, step: Int64, call: Int, prompt_sha256: String) {
        self.entrant = entrant
        self.repeat = `repeat`
        self.step = step
        self.call = call
        self.prompt_sha256 = prompt_sha256
    }
}

/// `responses.jsonl` being written: one line per call as it ends; `finish()` sorts the lines
/// (entrant, repeat, step, call) so that the file does not depend on which call ended first.
final class ResponsesLog: Sendable {
    private struct State {
        var handle: FileHandle?
        /// The first response that could not be written: `finish()` reports it, as a season
        /// missing a response cannot be rerun from its file.
        var failure: String?
    }

    private let path: String
    private let state: Mutex<State>

    init(path: String) throws {
        self.path = path
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw SeasonError("\(path): cannot write the responses file") }
        state = Mutex(State(handle: handle))
    }

    func append(_ response: RecordedResponse) {
        state.withLock { state in
            do {
                try state.handle?.write(contentsOf: try Self.encoder.encodeData(response) + Data("\n".utf8))
            } catch {
                if state.failure == nil { state.failure = "\(error)" }
            }
        }
    }

    /// Closes the file and rewrites it in key order.
    /// - Throws: `SeasonError` when a response could not be written or the file does not read
    ///   back line by line (it is then left as written), or a file error.
    func finish() throws {
        let failure = try state.withLock { state -> String? in
            defer { state.handle = nil }
            try state.handle?.close()
            return state.failure
        }
        if let failure {
            throw SeasonError("\(path): a model response could not be recorded (\(failure)); the file lacks it, so the season cannot be rerun from it")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw SeasonError("\(path): the responses file cannot be read back") }
        let bytes = [UInt8](data)
        var responses: [RecordedResponse] = []
        for (index, range) in SeasonResponses.lineRanges(of: bytes).enumerated() where !SeasonResponses.isBlank(bytes[range]) {
            do {
                responses.append(try RecordedResponse(line: Array(bytes[range])))
            } catch {
                throw SeasonError("\(path):\(index + 1): a recorded line does not read back (\(error)); the file is left as written")
            }
        }
        responses.sort { ($0.entrant, $0.repeat, $0.step, $0.call) < ($1.entrant, $1.repeat, $1.step, $1.call) }
        var output = Data()
        for response in responses {
            output += try Self.encoder.encodeData(response)
            output += Data("\n".utf8)
        }
        try output.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// JSONEncoder's bytes with `[.sortedKeys, .withoutEscapingSlashes]`.
    private static var encoder: JSONTextEncoder { JSONTextEncoder(sortedKeys: true, escapesSlashes: false) }
}
