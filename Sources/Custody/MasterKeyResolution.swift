/// The environment variable holding the master key as 64 hex characters.
public let masterKeyVariable = "ARENA_MASTER_KEY"
/// The environment variable naming the master key file.
public let masterKeyFileVariable = "ARENA_MASTER_KEY_FILE"
/// The environment variable holding the new master key for `arena keys rotate`.
public let newMasterKeyVariable = "ARENA_NEW_MASTER_KEY"

/// Returns the master key from `ARENA_MASTER_KEY` (64 hex characters) or from the file named by
/// `ARENA_MASTER_KEY_FILE`, or nil when neither is set (an empty value counts as unset).
///
/// - Parameter environment: the process environment (`ProcessInfo.processInfo.environment`), passed
///   in so tests need not change the real one.
/// - Throws: `CustodyError.conflictingMasterKeySources` when both are set; the errors of
///   `MasterKey(hex:source:)` and `MasterKey(contentsOfFile:)`, whose messages say what to do next.
public func resolveMasterKey(environment: [String: String]) throws(CustodyError) -> MasterKey? {
    let inline = environment[masterKeyVariable].flatMap { $0.isEmpty ? nil : $0 }
    let file = environment[masterKeyFileVariable].flatMap { $0.isEmpty ? nil : $0 }
    switch (inline, file) {
    case (.some, .some):
        throw .conflictingMasterKeySources
    case (.some(let hex), .none):
        return try MasterKey(hex: hex, source: masterKeyVariable)
    case (.none, .some(let path)):
        return try MasterKey(contentsOfFile: path)
    case (.none, .none):
        return nil
    }
}
