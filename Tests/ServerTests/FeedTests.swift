import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

/// Text frames received from the feed, shared between the socket handler and the test.
final class ReceivedFrames: Sendable {
    private let frames = Mutex<[String]>([])

    /// Appends `frame`; returns whether `done` is now satisfied.
    func append(_ frame: String, _ done: ([String]) -> Bool) -> Bool {
        frames.withLock { frames in
            frames.append(frame)
            return done(frames)
        }
    }

    var all: [String] { frames.withLock { $0 } }
}

/// One feed message, as a client reads it off a line of a frame.
struct FeedLine {
    let type: String
    let seq: Int
    let object: [String: Any]

    init?(_ line: Substring) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
              let type = object["type"] as? String, let seq = object["seq"] as? Int, object["ts"] is Int else { return nil }
        self.type = type
        self.seq = seq
        self.object = object
    }
}

@Suite("the live feed over a real socket", .serialized)
struct FeedTests {
    /// Connects to `path` and returns the text frames received until `done` says so (or 20 s pass).
    func frames(_ arena: ArenaProcess, _ path: String, until done: @escaping @Sendable ([String]) -> Bool) async throws -> [String] {
        let received = ReceivedFrames()
        let logger = Logger(label: "feed-test")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(arena.port)\(path)", logger: logger) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        if received.append(text, done) { return }
                    }
                }
            }
            group.addTask { try await Task.sleep(for: .seconds(20)) }
            try await group.next()
            group.cancelAll()
        }
        return received.all
    }

    func lines(_ frames: [String]) -> [FeedLine?] {
        frames.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(FeedLine.init) }
    }

    @Test("batch=true carries every message once, in seq order, one per line, several to a frame; a resume continues without gap")
    func batchedAndResumed() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "3", "--speed", "8", "--snapshot-interval", "1"])
        defer { arena.terminate() }
        let received = try await frames(arena, "/ws/feed?batch=true") { frames in frames.count > 1 && frames.joined().count > 20_000 }
        let parsed = lines(received)
        #expect(parsed.allSatisfy { $0 != nil }, "every line of every frame is one JSON message with type, seq and ts")
        let messages = parsed.compactMap { $0 }
        let hello = try #require(messages.first)
        #expect(hello.type == "hello")
        #expect((hello.object["data"] as? [String: Any])?["batched"] as? Bool == true)
        let seqs = messages.dropFirst().map(\.seq)
        #expect(!seqs.isEmpty)
        #expect(seqs == Array((hello.seq + 1)..<(hello.seq + 1 + seqs.count)), "an unfiltered batched client gets every message once, in order")
        #expect(received.dropFirst().contains { $0.contains("\n") }, "a busy feed puts several messages in one frame")
        #expect(received.allSatisfy { $0.utf8.count <= 16_384 })

        // Resuming from a seq replays what came after it, then goes on live, with no gap.
        let resumeFrom = try #require(seqs.dropLast(5).last)
        let resumed = try await frames(arena, "/ws/feed?batch=true&after_seq=\(resumeFrom)") { frames in frames.count > 3 }
        let resumedSeqs = lines(resumed).compactMap { $0 }.filter { $0.type != "hello" }.map(\.seq)
        #expect(resumedSeqs.first == resumeFrom + 1)
        #expect(resumedSeqs == Array((resumeFrom + 1)..<(resumeFrom + 1 + resumedSeqs.count)))
    }

    @Test("without batch each frame is exactly one message; a topic filter keeps other types out")
    func plainAndFiltered() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "4", "--speed", "8", "--snapshot-interval", "1"])
        defer { arena.terminate() }
        let received = try await frames(arena, "/ws/feed?topics=snapshot,price") { frames in frames.count > 30 }
        #expect(received.allSatisfy { !$0.contains("\n") && FeedLine($0[...]) != nil })
        let types = Set(lines(received).compactMap { $0?.type })
        #expect(types.isSubset(of: ["hello", "snapshot", "price"]))
        #expect(types.contains("snapshot"))
        let (badStatus, _) = try await arena.send("GET", "/ws/feed?batch=maybe")
        #expect(badStatus >= 400)
    }
}
