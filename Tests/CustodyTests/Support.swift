import ArenaCore
import Foundation
import Storage
import Testing
@testable import Custody

/// The repository's root folder (the one holding Package.swift).
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        url.deleteLastPathComponent()
    }
    return url
}()

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("arena-custody-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A migrated ledger database in a temporary folder, with accounts to hang secrets on.
final class TestLedger {
    let folder: TemporaryFolder
    let path: String
    let store: LedgerStore

    init(accounts: Int = 2) throws {
        folder = try TemporaryFolder()
        path = folder.path("arena.sqlite")
        let database = try ArenaDatabase(path: path)
        try Migrator(folder: repositoryRoot.appendingPathComponent("migrations").path).migrate(database, now: 1)
        store = LedgerStore(database: database)
        for index in 0..<accounts {
            guard let btc = Symbol("BTC"), let capital = FixedDecimal("10000") else { throw TestFailure("fixture") }
            _ = try store.createAccount(NewAccount(name: "account-\(index + 1)", driverKind: "buy_and_hold", symbols: [btc],
                                                   initialCapital: capital), now: Timestamp(milliseconds: 1))
        }
    }

    /// The bytes of the database file and of its WAL and shared-memory files, as they are now.
    func fileBytes() throws -> [(String, Data)] {
        try [path, path + "-wal", path + "-shm"].compactMap { file in
            FileManager.default.fileExists(atPath: file) ? (file, try Data(contentsOf: URL(fileURLWithPath: file))) : nil
        }
    }

    deinit { try? store.database.close() }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let accountOne = AccountID(1)
let accountTwo = AccountID(2)
let time = Timestamp(milliseconds: 1_700_000_000_000)

/// A well-known private key (the secp256k1 secret 1) and its Ethereum address.
let privateKeyOne = "0x0000000000000000000000000000000000000000000000000000000000000001"
let addressOfKeyOne = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"

/// Returns a fresh random key.
func randomKey() throws -> MasterKey { try MasterKey.generate() }

/// The file mode's permission bits.
func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// Whether `haystack` contains `needle` as a byte sequence.
func contains(_ haystack: Data, _ needle: [UInt8]) -> Bool {
    haystack.range(of: Data(needle)) != nil
}

/// The `arena` executable built beside the test bundle.
let arenaExecutable: URL? = {
    guard let testBinary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    let candidate = URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent("arena")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

/// What a finished `arena` subprocess said.
struct ProcessResult {
    let status: Int32
    let output: String
    let errorOutput: String
}

/// Runs `arena` with `arguments` and `environment` (added to a minimal one) and waits for it.
func runArena(_ arguments: [String], environment: [String: String] = [:], in folder: URL) async throws -> ProcessResult {
    let executable = try #require(arenaExecutable, "the arena executable is not built next to the tests; run swift build --build-tests")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    var base = ["PATH": "/usr/bin:/bin", "HOME": folder.path]
    base.merge(environment) { _, new in new }
    process.environment = base
    // Files, not pipes: Foundation's FileHandle reads trap on EINTR, which a child's exit can cause.
    let capture = FileManager.default.temporaryDirectory.appendingPathComponent("arena-keys-output-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: capture) }
    let outputURL = capture.appendingPathComponent("stdout"), errorURL = capture.appendingPathComponent("stderr")
    #expect(FileManager.default.createFile(atPath: outputURL.path, contents: nil))
    #expect(FileManager.default.createFile(atPath: errorURL.path, contents: nil))
    let output = try FileHandle(forWritingTo: outputURL)
    let errorOutput = try FileHandle(forWritingTo: errorURL)
    defer {
        try? output.close()
        try? errorOutput.close()
    }
    process.standardOutput = output
    process.standardError = errorOutput
    try process.run()
    await process.exited()
    let outputData = try Data(contentsOf: outputURL)
    let errorData = try Data(contentsOf: errorURL)
    return ProcessResult(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                         errorOutput: String(decoding: errorData, as: UTF8.self))
}

extension Process {
    /// Waits for the exit by suspending: a blocked thread of the two-thread task pool would stall
    /// every other test.
    func exited() async {
        while isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
