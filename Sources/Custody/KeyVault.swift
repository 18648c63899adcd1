import ArenaCore
import Hyperliquid
import Storage

/// The secrets of every account, sealed under the master key and stored in the ledger database.
///
/// Opening a vault checks that the master key is the database's (or records that it is, for a
/// database without a key yet), so a wrong key fails at start-up instead of producing garbage.
/// Plaintexts leave only as `SecretValue` (redacted when printed); the API should show
/// `summaries(for:)`: whether a secret is set and, for wallets, the address.
public struct KeyVault: Sendable {
    /// The longest secret accepted, in bytes.
    public static let maximumSecretBytes = 16_384

    public let store: LedgerStore
    let box: SecretBox
    /// The key check this vault verified at opening; stores compare against it.
    let check: CustodyCheckRecord

    /// The fingerprint of the vault's master key.
    public var keyFingerprint: String { box.masterKey.fingerprint }

    /// Opens the vault of `store`'s database under `masterKey`.
    ///
    /// If the database records a key check, the key must open it. If not (a new database), the
    /// check is recorded now, so the database belongs to this key from its first start; secrets
    /// stored before any check (none in practice) must open under the key for it to be recorded.
    /// - Throws: `CustodyError.wrongMasterKey`, `.databaseNotMigrated`, or a storage error.
    public init(store: LedgerStore, masterKey: MasterKey, now: Timestamp) throws {
        guard try store.hasCustodyTable() else { throw CustodyError.databaseNotMigrated }
        let box = SecretBox(masterKey: masterKey)
        let candidate = try Self.makeCheck(box: box, createdAt: now, rotatedAt: nil)
        let recorded = try store.recordCustodyCheckIfAbsent(candidate) { secrets in
            guard let first = secrets.first else { return }
            let opensAny = secrets.contains { record in
                guard let name = try? SecretName(record.name) else { return false }
                return (try? box.open(SealedSecret(nonce: record.nonce, ciphertext: record.ciphertext),
                                      accountID: record.accountID, name: name)) != nil
            }
            guard opensAny else {
                throw CustodyError.wrongMasterKey(databaseFingerprint: "unrecorded (secret \(first.name) of account \(first.accountID) does not open)",
                                                  givenFingerprint: masterKey.fingerprint)
            }
        }
        try Self.verify(recorded, box: box)
        self.store = store
        self.box = box
        self.check = recorded
    }

    /// Opens the vault the way `arena serve` starts: the key from `ARENA_MASTER_KEY` or
    /// `ARENA_MASTER_KEY_FILE`, or nil when neither is set and the database holds no secret (an
    /// arena without live accounts or LLM keys needs no master key).
    /// - Throws: `CustodyError.masterKeyRequired` when secrets exist but no key is set, the errors
    ///   of `resolveMasterKey(environment:)` and of `init(store:masterKey:now:)`.
    public static func startUp(store: LedgerStore, environment: [String: String], now: Timestamp) throws -> KeyVault? {
        guard let masterKey = try resolveMasterKey(environment: environment) else {
            let count = try store.secretCount()
            if count > 0 { throw CustodyError.masterKeyRequired(secretCount: count) }
            return nil
        }
        return try KeyVault(store: store, masterKey: masterKey, now: now)
    }

    // MARK: Secrets

    /// Seals and stores `value` as the account's secret `name`, replacing any before, and returns
    /// what may be shown of it. Surrounding whitespace is trimmed. A Hyperliquid agent key must be
    /// a valid private key (its address becomes the public hint); a master address must be an
    /// address.
    /// - Throws: `CustodyError.invalidSecret` (the message never quotes the value),
    ///   `.wrongMasterKey` if the database's key was rotated since this vault opened,
    ///   `StorageError.notFound` for an unknown account.
    @discardableResult
    /// Checks a secret as `setSecret` would, storing nothing; returns it trimmed with its public hint.
    /// - Throws: `CustodyError.invalidSecret` naming what is wrong.
    public static func validate(_ value: SecretValue, named name: SecretName) throws -> (SecretValue, String?) {
        let trimmed = trimmingWhitespace(value)
        guard trimmed.byteCount > 0 else { throw CustodyError.invalidSecret(name: name.rawValue, reason: "it is empty") }
        guard trimmed.byteCount <= maximumSecretBytes else {
            throw CustodyError.invalidSecret(name: name.rawValue, reason: "it is longer than \(maximumSecretBytes) bytes")
        }
        return (trimmed, try publicHint(of: trimmed, name: name))
    }

    public func setSecret(_ value: SecretValue, named name: SecretName, for accountID: AccountID, now: Timestamp) throws -> SecretSummary {
        let (trimmed, hint) = try Self.validate(value, named: name)
        let sealed = try box.seal(trimmed, accountID: accountID, name: name)
        let record = EncryptedSecretRecord(accountID: accountID, name: name.rawValue, nonce: sealed.nonce,
                                           ciphertext: sealed.ciphertext, publicHint: hint, updatedAt: now)
        try store.storeSecret(record) { current in
            guard let current, current == check else {
                throw CustodyError.wrongMasterKey(databaseFingerprint: current?.keyFingerprint ?? "none",
                                                  givenFingerprint: box.masterKey.fingerprint)
            }
        }
        return SecretSummary(accountID: accountID, name: name.rawValue, publicHint: hint, updatedAt: now)
    }

    /// The account's secret `name`, decrypted, or nil when it is not set.
    /// - Throws: `CustodyError.secretUnreadable` when it does not decrypt.
    public func secret(named name: SecretName, for accountID: AccountID) throws -> SecretValue? {
        guard let record = try store.encryptedSecret(accountID: accountID, name: name.rawValue) else { return nil }
        return try box.open(SealedSecret(nonce: record.nonce, ciphertext: record.ciphertext), accountID: accountID, name: name)
    }

    /// The signer of the account's Hyperliquid agent key, or nil when none is set.
    /// - Throws: `CustodyError.secretUnreadable`, or `.invalidSecret` if the stored key is not a
    ///   private key.
    public func agentSigner(for accountID: AccountID) throws -> Signer? {
        guard let key = try secret(named: .hyperliquidAgentKey, for: accountID) else { return nil }
        var bytes = key.revealBytes()
        defer { wipe(&bytes) }
        do {
            return try Self.signer(fromHex: bytes)
        } catch {
            throw CustodyError.invalidSecret(name: SecretName.hyperliquidAgentKey.rawValue, reason: "it is not a valid private key")
        }
    }

    /// Removes the account's secret `name`; returns whether it was set.
    @discardableResult
    public func removeSecret(named name: SecretName, for accountID: AccountID) throws -> Bool {
        try store.deleteSecret(accountID: accountID, name: name.rawValue)
    }

    /// What may be shown of the account's secrets (set or not is their presence; the public hint
    /// is a wallet's address), by name.
    public func summaries(for accountID: AccountID) throws -> [SecretSummary] {
        try store.secretSummaries(accountID: accountID)
    }

    /// Every stored secret that does not decrypt under this vault's key (normally none), for a
    /// health check or a preflight.
    public func unreadableSecrets() throws -> [SecretSummary] {
        try store.encryptedSecrets().compactMap { record in
            let summary = SecretSummary(accountID: record.accountID, name: record.name, publicHint: record.publicHint,
                                        updatedAt: record.updatedAt)
            guard let name = try? SecretName(record.name) else { return summary }
            let opened = try? box.open(SealedSecret(nonce: record.nonce, ciphertext: record.ciphertext),
                                       accountID: record.accountID, name: name)
            return opened == nil ? summary : nil
        }
    }

    // MARK: Rotation

    /// Re-encrypts every secret under `newKey` and records `newKey` as the database's key, in ONE
    /// transaction: if any secret fails to decrypt, nothing changes. Returns the vault under the new
    /// key and the number of secrets re-encrypted.
    ///
    /// Run it with the server stopped: a server still holding the old key refuses to store secrets
    /// afterwards and cannot read them until restarted with the new key.
    /// - Throws: `CustodyError.rotationToSameKey`, `.secretUnreadable` (naming the secret),
    ///   `.wrongMasterKey` if the database's key changed since this vault opened.
    public func rotate(to newKey: MasterKey, now: Timestamp) throws -> (vault: KeyVault, rotatedCount: Int) {
        let rotation = try rotateAll(to: newKey, now: now)
        return (rotation.vault, rotation.secrets)
    }

    /// `rotate(to:now:)`, telling apart the secrets and the stored alert webhooks re-encrypted
    /// (both in the same transaction).
    public func rotateAll(to newKey: MasterKey, now: Timestamp) throws -> (vault: KeyVault, secrets: Int, alertWebhooks: Int) {
        guard newKey != box.masterKey else { throw CustodyError.rotationToSameKey }
        let newBox = SecretBox(masterKey: newKey)
        let newCheck = try Self.makeCheck(box: newBox, createdAt: check.createdAt, rotatedAt: now)
        let counts = try store.rewriteAllSecrets(newCheck: newCheck, verifyCurrentCheck: { current in
            guard current == check else {
                throw CustodyError.wrongMasterKey(databaseFingerprint: current.keyFingerprint, givenFingerprint: box.masterKey.fingerprint)
            }
        }, transformWebhook: { webhook in
            try Self.resealAlertWebhook(webhook, from: box, to: newBox)
        }) { record in
            let name = try SecretName(record.name)
            let plaintext = try box.open(SealedSecret(nonce: record.nonce, ciphertext: record.ciphertext),
                                         accountID: record.accountID, name: name)
            let sealed = try newBox.seal(plaintext, accountID: record.accountID, name: name)
            var replacement = record
            replacement.nonce = sealed.nonce
            replacement.ciphertext = sealed.ciphertext
            return replacement
        }
        return (KeyVault(store: store, box: newBox, check: newCheck), counts.secrets, counts.alertWebhooks)
    }

    private init(store: LedgerStore, box: SecretBox, check: CustodyCheckRecord) {
        self.store = store
        self.box = box
        self.check = check
    }

    // MARK: Key check

    /// The marker sealed as the key check, and its associated data.
    static let checkMarker = Array("arena master key check v1".utf8)
    static let checkAssociatedData = Array("arena custody check v1".utf8)

    static func makeCheck(box: SecretBox, createdAt: Timestamp, rotatedAt: Timestamp?) throws(CustodyError) -> CustodyCheckRecord {
        let sealed = try SecretValue(bytes: checkMarker).withUnsafeBytes { marker throws(CustodyError) in
            try box.seal(marker, associatedData: checkAssociatedData)
        }
        return CustodyCheckRecord(keyFingerprint: box.masterKey.fingerprint, nonce: sealed.nonce, ciphertext: sealed.ciphertext,
                                  createdAt: createdAt, rotatedAt: rotatedAt)
    }

    static func verify(_ check: CustodyCheckRecord, box: SecretBox) throws(CustodyError) {
        let failure = CustodyError.wrongMasterKey(databaseFingerprint: check.keyFingerprint, givenFingerprint: box.masterKey.fingerprint)
        let opened = try box.open(SealedSecret(nonce: check.nonce, ciphertext: check.ciphertext),
                                  associatedData: checkAssociatedData, failure: failure)
        guard opened.revealBytes() == checkMarker else { throw failure }
    }

    // MARK: Validation

    static func publicHint(of value: SecretValue, name: SecretName) throws(CustodyError) -> String? {
        switch name {
        case .hyperliquidAgentKey:
            var bytes = value.revealBytes()
            defer { wipe(&bytes) }
            do {
                return try signer(fromHex: bytes).address.checksummed
            } catch {
                throw .invalidSecret(name: name.rawValue, reason: "it is not a private key (64 hex digits, optionally 0x-prefixed, a valid secp256k1 secret)")
            }
        case .hyperliquidMasterAddress:
            guard let address = EthereumAddress(hex: value.revealString()) else {
                throw .invalidSecret(name: name.rawValue, reason: "it is not an address (0x and 40 hex digits)")
            }
            return address.checksummed
        default:
            return nil
        }
    }

    /// Builds a signer from a private key's hex text without making a `String` of it, which could
    /// not be wiped.
    static func signer(fromHex text: [UInt8]) throws(HyperliquidError) -> Signer {
        var digits = text[...]
        if digits.count >= 2, digits.first == UInt8(ascii: "0"), digits.dropFirst().first == UInt8(ascii: "x") || digits.dropFirst().first == UInt8(ascii: "X") {
            digits = digits.dropFirst(2)
        }
        guard digits.count == 64 else { throw .invalidPrivateKey }
        var bytes = [UInt8](repeating: 0, count: 32)
        defer { wipe(&bytes) }
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        for (index, position) in stride(from: digits.startIndex, to: digits.endIndex, by: 2).enumerated() {
            guard let high = nibble(digits[position]), let low = nibble(digits[position + 1]) else { throw .invalidPrivateKey }
            bytes[index] = high << 4 | low
        }
        return try Signer(privateKey: bytes)
    }

    static func trimmingWhitespace(_ value: SecretValue) -> SecretValue {
        value.withUnsafeBytes { bytes in
            func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
            var start = 0
            var end = bytes.count
            while start < end && isWhitespace(bytes[start]) { start += 1 }
            while end > start && isWhitespace(bytes[end - 1]) { end -= 1 }
            if start == 0 && end == bytes.count { return value }
            return SecretValue(storage: SecureBytes(copying: UnsafeRawBufferPointer(rebasing: bytes[start..<end])))
        }
    }
}
