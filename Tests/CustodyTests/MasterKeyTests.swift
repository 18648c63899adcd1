import ArenaTestSupport
import Foundation
import Testing
@testable import Custody

@Suite("Master key")
struct MasterKeyTests {
    static let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

    @Test("64 hex characters make a key, with or without 0x, in either case, with surrounding whitespace")
    func parsesHex() throws {
        let key = try MasterKey(hex: Self.hex, source: "test")
        #expect(key.revealHex() == Self.hex)
        #expect(try MasterKey(hex: "0x" + Self.hex.uppercased(), source: "test") == key)
        #expect(try MasterKey(hex: "  \(Self.hex)\n", source: "test") == key)
    }

    @Test("anything but 32 bytes of hex is refused without quoting the text", arguments: [
        "", "00", String(hex.dropLast()), hex + "00", String(hex.dropLast()) + "g", "0x", hex + " " + hex,
    ])
    func refusesBadHex(text: String) {
        #expect(throws: CustodyError.invalidMasterKey(source: "ARENA_MASTER_KEY")) { try MasterKey(hex: text, source: "ARENA_MASTER_KEY") }
        let message = String(describing: CustodyError.invalidMasterKey(source: "ARENA_MASTER_KEY"))
        #expect(message.contains("64 hex characters"))
        #expect(message.contains("arena keys init"))
    }

    @Test("keys compare by value; generated keys differ; fingerprints tell keys apart and are stable")
    func equalityAndFingerprint() throws {
        let key = try MasterKey(hex: Self.hex, source: "test")
        let same = try MasterKey(bytes: try #require(hexBytes(Self.hex)))
        #expect(key == same)
        #expect(key.fingerprint == same.fingerprint)
        #expect(key.fingerprint.count == 16)
        let first = try MasterKey.generate()
        let second = try MasterKey.generate()
        #expect(first != second)
        #expect(first.fingerprint != second.fingerprint)
        #expect(!Self.hex.contains(key.fingerprint))
        #expect(throws: CustodyError.invalidMasterKey(source: "the bytes given")) { try MasterKey(bytes: [1, 2, 3]) }
    }

    @Test("a key never prints: description, debug description, interpolation and dump hold no key digits")
    func redacted() throws {
        let key = try MasterKey(hex: Self.hex, source: "test")
        var dumped = ""
        dump(key, to: &dumped)
        for text in [String(describing: key), String(reflecting: key), "\(key)", dumped] {
            #expect(!text.contains("00112233"))
            #expect(!text.lowercased().contains("aabbccdd"))
        }
        #expect(String(describing: key).contains(key.fingerprint))
    }

    @Test("arena keys init's file is created 0600 whatever the umask, and reads back as the same key")
    func createsKeyFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("nested/deeper/master.key")
        let previous = umask(0)
        defer { umask(previous) }
        let key = try MasterKey.createKeyFile(at: path)
        #expect(try permissions(of: path) == 0o600)
        #expect(try permissions(of: folder.path("nested/deeper")) == 0o700)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == key.revealHex() + "\n")
        #expect(try MasterKey(contentsOfFile: path) == key)
    }

    @Test("creating a key file never overwrites an existing file")
    func refusesOverwrite() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("master.key")
        let first = try MasterKey.createKeyFile(at: path)
        #expect(throws: CustodyError.keyFileExists(path: path)) { try MasterKey.createKeyFile(at: path) }
        #expect(try MasterKey(contentsOfFile: path) == first)
        // Not through a symbolic link either.
        let link = folder.path("link.key")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder.path("target.key"))
        #expect(throws: CustodyError.keyFileExists(path: link)) { try MasterKey.createKeyFile(at: link) }
        #expect(!FileManager.default.fileExists(atPath: folder.path("target.key")))
    }

    @Test("a key file readable by the group or others is refused with the chmod to run", arguments: [0o640, 0o604, 0o644, 0o660, 0o666])
    func refusesOpenPermissions(mode: Int) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("master.key")
        _ = try MasterKey.createKeyFile(at: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        #expect(throws: CustodyError.keyFileTooOpen(path: path, mode: UInt32(0o100000 | mode))) { try MasterKey(contentsOfFile: path) }
        let message = String(describing: CustodyError.keyFileTooOpen(path: path, mode: UInt32(0o100000 | mode)))
        #expect(message.contains("chmod 600 \(path)"))
        #expect(message.contains(String(mode, radix: 8)))
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        _ = try MasterKey(contentsOfFile: path)
    }

    @Test("a missing key file, a folder and a file of garbage are refused with what to do")
    func badFiles() throws {
        let folder = try TemporaryFolder()
        let missing = folder.path("absent.key")
        #expect(throws: CustodyError.keyFileMissing(path: missing)) { try MasterKey(contentsOfFile: missing) }
        #expect(String(describing: CustodyError.keyFileMissing(path: missing)).contains("arena keys init"))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.url.path)
        #expect(throws: CustodyError.keyFileUnusable(path: folder.url.path, reason: "it is not a regular file")) {
            try MasterKey(contentsOfFile: folder.url.path)
        }
        let garbage = folder.path("garbage.key")
        #expect(FileManager.default.createFile(atPath: garbage, contents: Data("not a key\n".utf8), attributes: [.posixPermissions: 0o600]))
        #expect(throws: CustodyError.invalidMasterKey(source: "the key file \(garbage)")) { try MasterKey(contentsOfFile: garbage) }
        let huge = folder.path("huge.key")
        #expect(FileManager.default.createFile(atPath: huge, contents: Data(repeating: 0x61, count: 10_000), attributes: [.posixPermissions: 0o600]))
        #expect(throws: CustodyError.invalidMasterKey(source: "the key file \(huge)")) { try MasterKey(contentsOfFile: huge) }
    }

    @Test("the environment gives the key inline or as a file, never both; empty counts as unset")
    func resolvesFromEnvironment() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("master.key")
        let fileKey = try MasterKey.createKeyFile(at: path)
        #expect(try resolveMasterKey(environment: [:]) == nil)
        #expect(try resolveMasterKey(environment: ["ARENA_MASTER_KEY": "", "ARENA_MASTER_KEY_FILE": ""]) == nil)
        #expect(try resolveMasterKey(environment: ["ARENA_MASTER_KEY": Self.hex]) == MasterKey(hex: Self.hex, source: "test"))
        #expect(try resolveMasterKey(environment: ["ARENA_MASTER_KEY_FILE": path]) == fileKey)
        #expect(try resolveMasterKey(environment: ["ARENA_MASTER_KEY_FILE": path, "ARENA_MASTER_KEY": ""]) == fileKey)
        #expect(throws: CustodyError.conflictingMasterKeySources) {
            try resolveMasterKey(environment: ["ARENA_MASTER_KEY": Self.hex, "ARENA_MASTER_KEY_FILE": path])
        }
        #expect(throws: CustodyError.invalidMasterKey(source: "ARENA_MASTER_KEY")) {
            try resolveMasterKey(environment: ["ARENA_MASTER_KEY": "abc"])
        }
        #expect(throws: CustodyError.keyFileMissing(path: path + ".missing")) {
            try resolveMasterKey(environment: ["ARENA_MASTER_KEY_FILE": path + ".missing"])
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: CustodyError.keyFileTooOpen(path: path, mode: 0o100644)) {
            try resolveMasterKey(environment: ["ARENA_MASTER_KEY_FILE": path])
        }
    }
}

private func hexBytes(_ text: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
        bytes.append(byte)
        index = next
    }
    return bytes
}
