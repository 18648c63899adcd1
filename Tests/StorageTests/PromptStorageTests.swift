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

    // MARK: Keyframes

    /// The `step`th prompt of an account: the real prompt with that step's market lines.
    static func prompt(account: Int, step: Int) throws -> String {
        try realPrompt() + "account \(account), call \(step): BTC \(97_000 + step * 13).5, ETH \(3_400 + step % 7).25\n"
    }

    /// Stores `prompt` as account `account`'s decision and returns its id.
    @discardableResult
    static func store(_ prompt: String?, account: Int, in ledger: LedgerStore) throws -> Int64 {
        try ledger.recordDecision(DecisionRecord(accountID: AccountID(Int64(account)), time: Timestamp(milliseconds: 5), driverKind: "llm",
                                                 prompt: prompt, outcome: .hold))
    }

    /// Each decision of `account` in order: its id, the keyframe its prompt names, its frame's size.
    static func stored(account: Int, in database: ArenaDatabase) throws -> [(id: Int64, base: Int64?, size: Int?)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, prompt_base, length(prompt_zstd) AS size FROM decisions WHERE account_id = ? ORDER BY id",
                             arguments: [account]).map { ($0["id"], $0["prompt_base"], $0["size"]) }
        }
    }

    /// Every prompt of `account`, oldest first, read as the server reads them (a page at a time).
    static func readPrompts(account: Int, in ledger: LedgerStore) throws -> [String?] {
        var prompts: [String?] = []
        var before: Int64?
        while true {
            let page = try ledger.decisions(of: AccountID(Int64(account)), before: before, limit: 25)
            guard let last = page.last else { return prompts.reversed() }
            prompts += page.map(\.record.prompt)
            before = last.id
        }
    }

    @Test("an account's prompts are stored in runs: a keyframe on its own, then 63 against it, a third of the size; all read back")
    func promptsAreStoredAgainstKeyframes() throws {
        let test = try TestLedger(accounts: 2)
        var written: [Int: [String?]] = [1: [], 2: []]
        for step in 0..<140 {
            // The accounts' rows interleave, and a decision without a prompt does not count in a run.
            for account in [1, 2] {
                let prompt = account == 2 && step % 10 == 9 ? nil : try Self.prompt(account: account, step: step)
                try Self.store(prompt, account: account, in: test.ledger)
                written[account, default: []].append(prompt)
            }
        }
        let first = try Self.stored(account: 1, in: test.database)
        let keyframes = first.enumerated().filter { $0.element.base == nil }.map(\.offset)
        #expect(keyframes == [0, 64, 128])
        for (index, row) in first.enumerated() where row.base != nil {
            #expect(row.base == first[index / 64 * 64].id, "decision \(index) names its run's keyframe")
        }
        let keyframeSize = try #require(first[0].size)
        let against = first.filter { $0.base != nil }.compactMap(\.size)
        #expect(against.count == 137)
        #expect(against.allSatisfy { $0 * 2 < keyframeSize }, "stored against keyframes of \(keyframeSize) bytes: \(against.max() ?? 0)")

        let second = try Self.stored(account: 2, in: test.database)
        #expect(second.filter { $0.size != nil && $0.base == nil }.count == 2, "126 prompts: a run of 64, then one of 62")
        #expect(second.filter { $0.size == nil }.allSatisfy { $0.base == nil })
        for account in [1, 2] {
            #expect(try Self.readPrompts(account: account, in: test.ledger) == written[account], "account \(account)")
        }
    }

    @Test("a change rolled back leaves no prompt naming a keyframe that is not there, in a file or in memory")
    func rolledBackKeyframeIsNotUsed() throws {
        struct Refused: Error {}
        let folder = try TemporaryFolder(prefix: "arena-keyframes")
        let file = try TestLedger(accounts: 1)
        for database in [file.database, try ArenaDatabase(inMemorySavedTo: folder.path("memory.sqlite"))] {
            if database.isInMemory {
                try Migrator(folder: packageMigrations).migrate(database, now: 0)
                let btc = try #require(Symbol("BTC"))
                _ = try LedgerStore(database: database).createAccount(
                    NewAccount(name: "account-1", driverKind: "llm", symbols: [btc], initialCapital: 10_000), now: Timestamp(milliseconds: 1))
            }
            let ledger = LedgerStore(database: database)
            let writer = LedgerWriter(ledger: ledger)
            // The account's first prompt, a keyframe, and one against it, then undone.
            #expect(throws: Refused.self) {
                try writer.transaction({ transaction -> Int64 in
                    _ = try transaction.insertDecision(DecisionRecord(accountID: AccountID(1), time: Timestamp(milliseconds: 5), driverKind: "llm",
                                                                      prompt: try Self.prompt(account: 1, step: 0), outcome: .hold))
                    _ = try transaction.insertDecision(DecisionRecord(accountID: AccountID(1), time: Timestamp(milliseconds: 6), driverKind: "llm",
                                                                      prompt: try Self.prompt(account: 1, step: 1), outcome: .hold))
                    throw Refused()
                }, afterCommit: { _ in })
            }
            let prompts = try (2..<5).map { try Self.prompt(account: 1, step: $0) }
            for prompt in prompts { try Self.store(prompt, account: 1, in: ledger) }
            let rows = try Self.stored(account: 1, in: database)
            #expect(rows.map(\.base) == [nil, rows[0].id, rows[0].id], "in memory: \(database.isInMemory)")
            #expect(try Self.readPrompts(account: 1, in: ledger) == prompts)
        }
    }

    @Test("a ledger opened again continues the account's run where it was")
    func reopenedLedgerContinuesTheRun() throws {
        let test = try TestLedger(accounts: 1)
        for step in 0..<70 { try Self.store(try Self.prompt(account: 1, step: step), account: 1, in: test.ledger) }
        let reopened = LedgerStore(database: try ArenaDatabase(path: test.path))
        try Self.store(try Self.prompt(account: 1, step: 70), account: 1, in: reopened)
        let rows = try Self.stored(account: 1, in: reopened.database)
        #expect(rows.last?.base == rows[64].id, "the 71st prompt is the 7th of the run the 65th began")
        #expect(try Self.readPrompts(account: 1, in: reopened).last == (try Self.prompt(account: 1, step: 70)))
        try reopened.database.close()
    }

    @Test("after migration 0016, an account's next prompt is stored against its newest prompt from before, and all read back")
    func rowsFromBeforeAreKeyframes() throws {
        // A ledger as arena left it before migration 0016: each prompt compressed on its own.
        let folder = try TemporaryFolder(prefix: "arena-migrations")
        let earlier = try FileManager.default.contentsOfDirectory(atPath: packageMigrations).filter { $0 < "0016" && $0.hasSuffix(".sql") }
        for file in earlier {
            try FileManager.default.copyItem(atPath: packageMigrations + "/" + file, toPath: folder.path(file))
        }
        let test = try TestLedger(migrations: folder.path, accounts: 1)
        let old = try (0..<3).map { try Self.prompt(account: 1, step: $0) }
        try test.database.write { db in
            for prompt in old {
                try db.execute(sql: "INSERT INTO decisions (account_id, time, driver_kind, outcome, prompt_zstd) VALUES (1, 5, 'llm', 'hold', ?)",
                               arguments: [Data(try #require(PromptCompression.compress(prompt)))])
            }
        }
        try Migrator(folder: packageMigrations).migrate(test.database, now: 1)

        let new = try (3..<5).map { try Self.prompt(account: 1, step: $0) }
        for prompt in new { try Self.store(prompt, account: 1, in: test.ledger) }
        let rows = try Self.stored(account: 1, in: test.database)
        #expect(rows.map(\.base) == [nil, nil, nil, rows[2].id, rows[2].id])
        #expect(try Self.readPrompts(account: 1, in: test.ledger) == old + new)
    }

    @Test("a prompt naming a row that is not a keyframe of its account, or a damaged keyframe, is a corrupt value")
    func badKeyframeIsRefused() throws {
        let test = try TestLedger(accounts: 2)
        for step in 0..<3 { try Self.store(try Self.prompt(account: 1, step: step), account: 1, in: test.ledger) }
        let other = try Self.store(try Self.prompt(account: 2, step: 0), account: 2, in: test.ledger)
        let rows = try Self.stored(account: 1, in: test.database)
        let newest = rows[2].id
        for base in [rows[1].id, other, 999] {
            // As a damaged file or another program could leave it: past the foreign key.
            try test.database.writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: "UPDATE decisions SET prompt_base = ? WHERE id = ?", arguments: [base, newest])
                try db.execute(sql: "PRAGMA foreign_keys = ON")
            }
            #expect(throws: StorageError.corruptValue(table: "decisions", column: "prompt_base"), "base \(base)") { _ = try Self.readPrompt(test) }
        }
        try test.database.write { db in
            try db.execute(sql: "UPDATE decisions SET prompt_base = ? WHERE id = ?", arguments: [rows[0].id, newest])
            try db.execute(sql: "UPDATE decisions SET prompt_zstd = prompt_zstd || x'00' WHERE id = ?", arguments: [rows[0].id])
        }
        #expect(throws: StorageError.corruptValue(table: "decisions", column: "prompt_base")) { _ = try Self.readPrompt(test) }
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
