import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import GRDB
import Testing
@testable import Storage

/// A decision's prompt is stored as a zstd frame and read back as text through the ledger's API;
/// rows written before (deflated, or plain text) still read; a damaged or oversized frame is a
/// storage error, never a crash or an unbounded allocation.
@Suite("prompts stored with zstd")
struct PromptStorageTests {
    /// The first four bytes of every zstd frame (RFC 8878).
    static let zstdMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// A prompt as the arena sends it: the default variant's system and user templates (about
    /// 4.5 KB of the repository's own text) and a block of market lines, with non-ASCII text.
    static func realPrompt() throws -> String {
        let system = try String(contentsOf: packageFile("prompts/default.system.mustache"), encoding: .utf8)
        let user = try String(contentsOf: packageFile("prompts/default.user.mustache"), encoding: .utf8)
        let market = (0..<24).map { hour in
            "BTC mid \(97_000 + hour * 37).5 | EMA20 97,001.2 | RSI14 \(40 + hour).1 | funding 0.0000125 | OI 12,345.6 é✓\n"
        }.joined()
        return system + "\n" + user + "\n" + market
    }

    /// A ledger with one account and one decision carrying `prompt`; returns the decision's id.
    static func ledger(storing prompt: String?) throws -> (TestLedger, Int64) {
        let test = try TestLedger(accounts: 1)
        let id = try test.ledger.recordDecision(DecisionRecord(accountID: AccountID(1), time: Timestamp(milliseconds: 5),
                                                               driverKind: "llm", prompt: prompt, outcome: .hold))
        return (test, id)
    }

    /// The stored prompt columns of decision `id`.
    static func storedColumns(_ test: TestLedger, _ id: Int64) throws -> (prompt: String?, deflated: Data?, zstd: Data?) {
        try test.database.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT prompt, prompt_deflated, prompt_zstd FROM decisions WHERE id = ?",
                                                    arguments: [id]))
            return (row["prompt"], row["prompt_deflated"], row["prompt_zstd"])
        }
    }

    /// Replaces decision `id`'s prompt columns with the given values, as an older arena or a damaged file left them.
    static func overwrite(_ test: TestLedger, _ id: Int64, prompt: String?, deflated: [UInt8]?, zstd: [UInt8]?) throws {
        try test.database.write { db in
            try db.execute(sql: "UPDATE decisions SET prompt = ?, prompt_deflated = ?, prompt_zstd = ? WHERE id = ?",
                           arguments: [prompt, deflated.map { Data($0) }, zstd.map { Data($0) }, id])
        }
    }

    /// The prompt of the account's newest decision, read as the server reads it.
    static func readPrompt(_ test: TestLedger) throws -> String? {
        try #require(try test.ledger.decisions(of: AccountID(1), before: nil, limit: 10).first).record.prompt
    }

    @Test("a real prompt is stored as a zstd frame, less than half its size, and read back as the same text")
    func promptRoundTrip() throws {
        let prompt = try Self.realPrompt()
        let (test, id) = try Self.ledger(storing: prompt)
        let stored = try Self.storedColumns(test, id)
        #expect(stored.prompt == nil, "the plain text column stays empty")
        #expect(stored.deflated == nil, "the zlib column is only for older rows")
        let frame = try #require(stored.zstd)
        #expect(Array(frame.prefix(4)) == Self.zstdMagic)
        #expect(frame.count * 2 < prompt.utf8.count, "compressed \(prompt.utf8.count) bytes to \(frame.count)")
        #expect(try Self.readPrompt(test) == prompt)
    }

    @Test("an empty prompt and a decision without a prompt read back as they were stored")
    func emptyAndMissingPrompts() throws {
        let (empty, _) = try Self.ledger(storing: "")
        #expect(try Self.readPrompt(empty) == "")
        let (missing, id) = try Self.ledger(storing: nil)
        let stored = try Self.storedColumns(missing, id)
        #expect(stored.prompt == nil && stored.deflated == nil && stored.zstd == nil)
        #expect(try Self.readPrompt(missing) == nil)
    }

    /// `oldPromptText` as raw DEFLATE at zlib's level 1 (Python's `zlib.compressobj(1, zlib.DEFLATED, -15)`),
    /// the form arena stored in `prompt_deflated` between migrations 0011 and 0015.
    static let oldPromptText = String(repeating: "Old prompt, stored deflated by zlib before zstd: BTC mid 97,123.5 | RSI14 55.1 | funding 0.0000125 é✓\n",
                                      count: 3)
    static let oldPromptDeflatedHex = "f3cf49512828cacf2d28d151282ec92f4a4d5148494dcb492c0132922a15aa723293149252d380120a55c52529560a4e21ce0ab999290a96e63a8646c67aa60a350a41c19e86260aa6a67a86404e5a695e4a665eba82819e0110181a992a1c5ef968ce642eff61671100"

    static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            try #require(UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16))
        }
    }

    @Test("a row written before zstd, with only its deflated prompt, still reads")
    func deflatedRowReads() throws {
        let (test, id) = try Self.ledger(storing: "new text")
        try Self.overwrite(test, id, prompt: nil, deflated: try Self.bytes(hex: Self.oldPromptDeflatedHex), zstd: nil)
        #expect(try Self.readPrompt(test) == Self.oldPromptText)
    }

    @Test("a row written before compression, with only its plain prompt, still reads")
    func plainRowReads() throws {
        let (test, id) = try Self.ledger(storing: "new text")
        try Self.overwrite(test, id, prompt: "old plain text", deflated: nil, zstd: nil)
        #expect(try Self.readPrompt(test) == "old plain text")
    }

    /// A valid frame of a prompt, damaged in the ways a file can be.
    static func damagedFrames() throws -> [(String, [UInt8])] {
        let frame = try #require(PromptCompression.compress(try realPrompt()))
        var flipped = frame
        flipped[frame.count / 2] ^= 0x01
        var badChecksum = frame
        badChecksum[frame.count - 1] ^= 0x01
        return [
            ("not a frame", Array("plain words, not zstd".utf8)),
            ("empty", []),
            ("magic only", zstdMagic),
            ("truncated", Array(frame.prefix(frame.count / 2))),
            ("one bit flipped", flipped),
            ("checksum wrong", badChecksum),
            ("two frames", frame + frame),
            // A valid frame of bytes that are not UTF-8 (0xFF never occurs in UTF-8).
            ("not UTF-8", try #require(ZstdFrames.rawFrame(of: [0x61, 0xFF, 0x62], statingSize: true))),
        ]
    }

    @Test("a damaged prompt frame is refused as a corrupt value, not a crash")
    func corruptFrameIsRefused() throws {
        let (test, id) = try Self.ledger(storing: "new text")
        for (damage, bytes) in try Self.damagedFrames() {
            try Self.overwrite(test, id, prompt: nil, deflated: nil, zstd: bytes)
            #expect(throws: StorageError.corruptValue(table: "decisions", column: "prompt_zstd"), "\(damage)") {
                _ = try Self.readPrompt(test)
            }
        }
    }

    @Test("a frame whose content is over the limit, or does not state its size, is refused before decompressing")
    func oversizedFrameIsRefused() throws {
        let (test, id) = try Self.ledger(storing: "new text")
        // Zeros compress to a few hundred bytes: a small row that would make a reader allocate 16 MiB and one byte.
        let huge = String(repeating: "\0", count: PromptCompression.maximumTextBytes + 1)
        let bomb = try #require(PromptCompression.compress(huge))
        #expect(bomb.count < 4_096)
        try Self.overwrite(test, id, prompt: nil, deflated: nil, zstd: bomb)
        #expect(throws: StorageError.corruptValue(table: "decisions", column: "prompt_zstd")) { _ = try Self.readPrompt(test) }
        // The same frame within a larger limit decompresses: the refusal is the limit's.
        #expect(PromptCompression.decompress(bomb, maximumBytes: PromptCompression.maximumTextBytes + 1)?.utf8.count == huge.utf8.count)

        // A valid frame that leaves its size out of its header (zstd's streaming API writes these).
        let unsized = try #require(ZstdFrames.rawFrame(of: Array("hi".utf8), statingSize: false))
        try Self.overwrite(test, id, prompt: nil, deflated: nil, zstd: unsized)
        #expect(throws: StorageError.corruptValue(table: "decisions", column: "prompt_zstd")) { _ = try Self.readPrompt(test) }
        // The same content with its size stated reads: the refusal is the missing size's.
        let sized = try #require(ZstdFrames.rawFrame(of: Array("hi".utf8), statingSize: true))
        try Self.overwrite(test, id, prompt: nil, deflated: nil, zstd: sized)
        #expect(try Self.readPrompt(test) == "hi")
    }
}

/// zstd frames written by hand (RFC 8878), for contents zstd's own compressor would not produce.
enum ZstdFrames {
    /// One frame holding `content` in a single raw block, with or without its content size in the header.
    static func rawFrame(of content: [UInt8], statingSize: Bool) -> [UInt8]? {
        guard content.count < 256 else { return nil }
        var frame = PromptStorageTests.zstdMagic
        if statingSize {
            // Single segment, one-byte content size: no window descriptor.
            frame += [0x20, UInt8(content.count)]
        } else {
            // No content size; window descriptor 0: a 1 KiB window.
            frame += [0x00, 0x00]
        }
        // The last block, raw: bit 0 last, bits 1-2 type 0, the size from bit 3, three bytes little-endian.
        let header = UInt32(content.count) << 3 | 1
        frame += [UInt8(header & 0xFF), UInt8(header >> 8 & 0xFF), UInt8(header >> 16 & 0xFF)]
        return frame + content
    }
}
