import ArenaCore

/// What can go wrong with master keys and secrets, in words an operator can act on.
///
/// Messages name files, environment variables, accounts and secret names, never a key or a secret:
/// an error may reach a log or an API response.
public enum CustodyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A master key given as text is not 64 hex characters; `source` names where it came from.
    case invalidMasterKey(source: String)
    /// Both `ARENA_MASTER_KEY` and `ARENA_MASTER_KEY_FILE` are set.
    case conflictingMasterKeySources
    /// The key file does not exist.
    case keyFileMissing(path: String)
    /// The key file could not be read or written; `reason` is the system's.
    case keyFileUnusable(path: String, reason: String)
    /// The key file may be read by its group or by others.
    case keyFileTooOpen(path: String, mode: UInt32)
    /// `arena keys init` refuses to overwrite an existing key file.
    case keyFileExists(path: String)
    /// The database holds encrypted secrets but no master key was given.
    case masterKeyRequired(secretCount: Int)
    /// The master key given is not the one this database belongs to.
    case wrongMasterKey(databaseFingerprint: String, givenFingerprint: String)
    /// A stored secret did not decrypt: altered ciphertext, nonce or associated data, or another key.
    case secretUnreadable(accountID: AccountID, name: String)
    /// A stored alert webhook's URL did not decrypt: altered, or sealed under another master key.
    case alertWebhookUnreadable(id: Int64)
    /// An alert webhook can be stored only sealed, and no master key was given.
    case alertWebhookNeedsMasterKey
    /// A secret to store was refused; `reason` never quotes it.
    case invalidSecret(name: String, reason: String)
    /// A secret name is not 1 to 64 lowercase letters, digits or underscores.
    case invalidSecretName
    /// Rotation was asked to a key equal to the current one.
    case rotationToSameKey
    /// The database lacks the custody table.
    case databaseNotMigrated
    /// libcrypto failed where it should not (no randomness, no memory).
    case cryptoFailure(String)

    /// A message that says what happened and what to do next.
    public var description: String {
        switch self {
        case .invalidMasterKey(let source):
            "The master key in \(source) is not 32 bytes written as 64 hex characters. Create one with: arena keys init --key-file PATH"
        case .conflictingMasterKeySources:
            "Both ARENA_MASTER_KEY and ARENA_MASTER_KEY_FILE are set; set only one of them."
        case .keyFileMissing(let path):
            "The master key file \(path) does not exist. Create one with: arena keys init --key-file \(path)"
        case .keyFileUnusable(let path, let reason):
            "The master key file \(path) cannot be used: \(reason)."
        case .keyFileTooOpen(let path, let mode):
            "The master key file \(path) can be read by other users (mode \(String(mode & 0o777, radix: 8))). Restrict it with: chmod 600 \(path)"
        case .keyFileExists(let path):
            "The file \(path) already exists; arena keys init never overwrites a key. Choose another path, or remove the old file only if no database uses its key."
        case .masterKeyRequired(let count):
            "This database holds \(count) encrypted secret\(count == 1 ? "" : "s") but no master key was given. Set ARENA_MASTER_KEY_FILE to the key file this database was used with (or ARENA_MASTER_KEY to its 64 hex characters); to start afresh, run arena keys init."
        case .wrongMasterKey(let expected, let given):
            "The master key given (fingerprint \(given)) is not the key of this database (fingerprint \(expected)). Start arena with the key file this database was used with; after arena keys rotate, use the new key."
        case .secretUnreadable(let accountID, let name):
            "The secret \(name) of account \(accountID) could not be decrypted: its ciphertext, nonce or account was altered, or it was sealed under another master key. Set the secret again."
        case .alertWebhookUnreadable(let id):
            "The URL of alert webhook \(id) could not be decrypted: it was altered, or sealed under another master key. Remove it (DELETE /api/alerts/webhooks/\(id)) and add it again."
        case .alertWebhookNeedsMasterKey:
            "Alert webhooks added through the API are stored with their URL encrypted, and this server has no master key. Run arena keys init and restart with ARENA_MASTER_KEY_FILE, or put the webhook in the roster's alerts section (url_env)."
        case .invalidSecret(let name, let reason):
            "The secret \(name) was refused: \(reason)."
        case .invalidSecretName:
            "An account secret is named llm_api_key, hyperliquid_agent_key or hyperliquid_master_address."
        case .rotationToSameKey:
            "The new master key is the same as the current one; create a new key with arena keys init --key-file PATH."
        case .databaseNotMigrated:
            "This database has no custody table yet; run arena migrate --db PATH first."
        case .cryptoFailure(let what):
            "libcrypto failed: \(what)."
        }
    }
}
