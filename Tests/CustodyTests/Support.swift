import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import Storage
import Testing
@testable import Custody

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
let arenaExecutable = builtProduct("arena")

/// What a finished `arena` subprocess said.
struct ProcessResult {
    let status: Int32
    let output: String
    let errorOutput: String
}

/// Runs `arena` with `arguments` and `environment` (added to a minimal one) and waits for it, suspending.
func runArena(_ arguments: [String], environment: [String: String] = [:], in folder: URL) async throws -> ProcessResult {
    let executable = try #require(arenaExecutable, "the arena executable is not built next to the tests; run swift build --build-tests")
    var base = ["PATH": "/usr/bin:/bin", "HOME": folder.path]
    base.merge(environment) { _, new in new }
    let child = try ChildProcess(executable: executable, arguments: arguments, environment: base, directory: folder)
    let status = await child.exited()
    return ProcessResult(status: status ?? -1, output: child.output, errorOutput: child.errorOutput)
}
