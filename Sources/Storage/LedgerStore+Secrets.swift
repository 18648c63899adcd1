import ArenaCore
import Foundation
import GRDB

/// A secret as stored: only its AES-256-GCM nonce and ciphertext (tag appended), never the
/// plaintext, and the public part where one exists (a wallet's address).
public struct EncryptedSecretRecord: Sendable, Hashable {
    public var accountID: AccountID
    /// The secret's name within its account, such as `llm_api_key`.
    public var name: String
    public var nonce: [UInt8]
    /// The ciphertext followed by the 16-byte GCM tag.
    public var ciphertext: [UInt8]
    /// What may be shown of the secret (a wallet's address), or nil.
    public var publicHint: String?
    public var updatedAt: Timestamp

    /// Creates a record from its parts.
    public init(accountID: AccountID, name: String, nonce: [UInt8], ciphertext: [UInt8], publicHint: String?, updatedAt: Timestamp) {
        self.accountID = accountID
        self.name = name
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.publicHint = publicHint
        self.updatedAt = updatedAt
    }
}

/// What the API may say about a stored secret: that it is set, its public part and when it changed.
public struct SecretSummary: Sendable, Hashable {
    public var accountID: AccountID
    public var name: String
    public var publicHint: String?
    public var updatedAt: Timestamp

    /// Creates a summary from its parts.
    public init(accountID: AccountID, name: String, publicHint: String?, updatedAt: Timestamp) {
        self.accountID = accountID
        self.name = name
        self.publicHint = publicHint
        self.updatedAt = updatedAt
    }
}

/// The record of which master key a database belongs to: a known marker sealed under that key
/// (only the right key opens it) and the key's fingerprint (a hash, never the key).
public struct CustodyCheckRecord: Sendable, Hashable {
    public var keyFingerprint: String
    public var nonce: [UInt8]
    public var ciphertext: [UInt8]
    public var createdAt: Timestamp
    /// When the secrets were last re-encrypted under a new key, or nil if never.
    public var rotatedAt: Timestamp?

    /// Creates a check record from its parts.
    public init(keyFingerprint: String, nonce: [UInt8], ciphertext: [UInt8], createdAt: Timestamp, rotatedAt: Timestamp?) {
        self.keyFingerprint = keyFingerprint
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.createdAt = createdAt
        self.rotatedAt = rotatedAt
    }
}

extension LedgerStore {
    // MARK: Secrets (encrypted form only)

    /// Stores `record`, replacing the account's secret of the same name.
    ///
    /// `verifyCheck` runs first in the same transaction with the key check in force (nil if none),
    /// so a writer holding an old master key can refuse to store after a rotation.
    /// - Throws: `StorageError.notFound` if the account does not exist, or what `verifyCheck` throws.
    public func storeSecret(_ record: EncryptedSecretRecord,
                            verifyCheck: (CustodyCheckRecord?) throws -> Void = { _ in }) throws {
        try Self.withSecureDelete(database) { db in
            try verifyCheck(try Self.fetchCustodyCheck(db))
            guard try Self.fetchAccount(db, id: record.accountID) != nil else {
                throw StorageError.notFound("Account \(record.accountID)")
            }
            try Self.upsertSecret(db, record)
        }
    }

    /// Deletes the account's secret named `name`; returns whether one existed.
    @discardableResult
    public func deleteSecret(accountID: AccountID, name: String) throws -> Bool {
        try Self.withSecureDelete(database) { db in
            try db.execute(sql: "DELETE FROM account_secrets WHERE account_id = ? AND name = ?", arguments: [accountID.rawValue, name])
            return db.changesCount > 0
        }
    }

    /// The account's secret named `name` in encrypted form, or nil.
    public func encryptedSecret(accountID: AccountID, name: String) throws -> EncryptedSecretRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM account_secrets WHERE account_id = ? AND name = ?",
                             arguments: [accountID.rawValue, name]).map(Self.secret(from:))
        }
    }

    /// Every encrypted secret, of one account or of all, ordered by account and name.
    public func encryptedSecrets(accountID: AccountID? = nil) throws -> [EncryptedSecretRecord] {
        try database.read { db in try Self.fetchSecrets(db, accountID: accountID) }
    }

    /// What may be shown of every secret of one account or of all (no ciphertext), ordered by
    /// account and name.
    public func secretSummaries(accountID: AccountID? = nil) throws -> [SecretSummary] {
        try database.read { db in
            var sql = "SELECT account_id, name, public_hint, updated_at FROM account_secrets"
            var arguments: StatementArguments = []
            if let accountID {
                sql += " WHERE account_id = ?"
                arguments = [accountID.rawValue]
            }
            sql += " ORDER BY account_id, name"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                SecretSummary(accountID: AccountID(row["account_id"]), name: row["name"], publicHint: row["public_hint"],
                              updatedAt: Timestamp(milliseconds: row["updated_at"]))
            }
        }
    }

    /// The number of stored secrets.
    public func secretCount() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account_secrets") ?? 0 }
    }

    // MARK: Custody check

    /// Whether the database has the `custody` table (migration 0005 applied).
    public func hasCustodyTable() throws -> Bool {
        try database.read { db in try db.tableExists("custody") }
    }

    /// The record of which master key the database belongs to, or nil before one was recorded.
    /// - Throws: `StorageError.notFound` if migration 0005 is not applied.
    public func custodyCheck() throws -> CustodyCheckRecord? {
        try database.read { db in try Self.fetchCustodyCheck(db) }
    }

    /// Records `candidate` as the database's key check unless one exists, in one transaction,
    /// and returns the check in force: `candidate`, or the one recorded before.
    ///
    /// `verifyExistingSecrets` runs inside that transaction with every stored secret when no check
    /// exists yet, so a database whose secrets predate the check is not enrolled under a key that
    /// cannot open them; it throws to refuse.
    public func recordCustodyCheckIfAbsent(_ candidate: CustodyCheckRecord,
                                           verifyExistingSecrets: ([EncryptedSecretRecord]) throws -> Void) throws -> CustodyCheckRecord {
        try database.write { db in
            if let existing = try Self.fetchCustodyCheck(db) { return existing }
            try verifyExistingSecrets(try Self.fetchSecrets(db, accountID: nil))
            try Self.writeCustodyCheck(db, candidate)
            return candidate
        }
    }

    /// Replaces every secret by what `transform` returns, every stored alert webhook by what
    /// `transformWebhook` returns, and the key check by `newCheck`, in ONE transaction: if
    /// `verifyCurrentCheck` or a transform throws, nothing changes. Freed space is zeroed (SQLite's
    /// `secure_delete`) and the WAL is checkpointed afterwards, so ciphertexts under the old key do
    /// not linger in the files.
    /// - Returns: the numbers of secrets and of alert webhooks rewritten.
    /// - Throws: `StorageError.notFound` when no key check is recorded, or what the closures throw.
    @discardableResult
    public func rewriteAllSecrets(newCheck: CustodyCheckRecord,
                                  verifyCurrentCheck: (CustodyCheckRecord) throws -> Void,
                                  transformWebhook: (StoredAlertWebhookRecord) throws -> StoredAlertWebhookRecord,
                                  _ transform: (EncryptedSecretRecord) throws -> EncryptedSecretRecord) throws -> (secrets: Int, alertWebhooks: Int) {
        let counts = try Self.withSecureDelete(database) { db in
            guard let current = try Self.fetchCustodyCheck(db) else {
                throw StorageError.notFound("The custody key check")
            }
            try verifyCurrentCheck(current)
            let secrets = try Self.fetchSecrets(db, accountID: nil)
            for secret in secrets {
                let replacement = try transform(secret)
                guard replacement.accountID == secret.accountID, replacement.name == secret.name else {
                    throw StorageError.conflict("A rewritten secret must keep its account and name.")
                }
                try Self.upsertSecret(db, replacement)
            }
            let webhooks = try Self.fetchAlertWebhooks(db)
            for webhook in webhooks {
                let replacement = try transformWebhook(webhook)
                guard replacement.id == webhook.id else { throw StorageError.conflict("A rewritten alert webhook must keep its id.") }
                try Self.writeAlertWebhook(db, replacement)
            }
            try Self.writeCustodyCheck(db, newCheck)
            return (secrets: secrets.count, alertWebhooks: webhooks.count)
        }
        _ = try? database.writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        return counts
    }

    // MARK: Helpers

    /// Runs `body` in one transaction with `secure_delete` on, so that the space of deleted or
    /// replaced rows is overwritten with zeros, then turns it back off for the ledger's writes.
    static func withSecureDelete<T>(_ database: ArenaDatabase, _ body: (Database) throws -> T) throws -> T {
        try database.writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
            return try database.transaction(db, returning: { try body(db) })
        }
    }

    static func upsertSecret(_ db: Database, _ record: EncryptedSecretRecord) throws {
        try db.execute(sql: """
            INSERT INTO account_secrets (account_id, name, nonce, ciphertext, public_hint, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (account_id, name) DO UPDATE SET
                nonce = excluded.nonce, ciphertext = excluded.ciphertext,
                public_hint = excluded.public_hint, updated_at = excluded.updated_at
            """, arguments: [record.accountID.rawValue, record.name, Data(record.nonce), Data(record.ciphertext),
                             record.publicHint, record.updatedAt.milliseconds])
    }

    static func fetchSecrets(_ db: Database, accountID: AccountID?) throws -> [EncryptedSecretRecord] {
        if let accountID {
            return try Row.fetchAll(db, sql: "SELECT * FROM account_secrets WHERE account_id = ? ORDER BY name",
                                    arguments: [accountID.rawValue]).map(secret(from:))
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM account_secrets ORDER BY account_id, name").map(secret(from:))
    }

    static func secret(from row: Row) throws -> EncryptedSecretRecord {
        guard let nonce: Data = row["nonce"] else { throw StorageError.corruptValue(table: "account_secrets", column: "nonce") }
        guard let ciphertext: Data = row["ciphertext"] else {
            throw StorageError.corruptValue(table: "account_secrets", column: "ciphertext")
        }
        return EncryptedSecretRecord(accountID: AccountID(row["account_id"]), name: row["name"], nonce: [UInt8](nonce),
                                     ciphertext: [UInt8](ciphertext), publicHint: row["public_hint"],
                                     updatedAt: Timestamp(milliseconds: row["updated_at"]))
    }

    static func fetchCustodyCheck(_ db: Database) throws -> CustodyCheckRecord? {
        guard try db.tableExists("custody") else {
            throw StorageError.notFound("The custody table (migration 0005; run arena migrate)")
        }
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM custody WHERE id = 1") else { return nil }
        guard let nonce: Data = row["check_nonce"] else { throw StorageError.corruptValue(table: "custody", column: "check_nonce") }
        guard let ciphertext: Data = row["check_ciphertext"] else {
            throw StorageError.corruptValue(table: "custody", column: "check_ciphertext")
        }
        let rotatedAt: Int64? = row["rotated_at"]
        return CustodyCheckRecord(keyFingerprint: row["key_fingerprint"], nonce: [UInt8](nonce), ciphertext: [UInt8](ciphertext),
                                  createdAt: Timestamp(milliseconds: row["created_at"]),
                                  rotatedAt: rotatedAt.map(Timestamp.init(milliseconds:)))
    }

    static func writeCustodyCheck(_ db: Database, _ check: CustodyCheckRecord) throws {
        try db.execute(sql: """
            INSERT INTO custody (id, key_fingerprint, check_nonce, check_ciphertext, created_at, rotated_at)
            VALUES (1, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                key_fingerprint = excluded.key_fingerprint, check_nonce = excluded.check_nonce,
                check_ciphertext = excluded.check_ciphertext, rotated_at = excluded.rotated_at
            """, arguments: [check.keyFingerprint, Data(check.nonce), Data(check.ciphertext), check.createdAt.milliseconds,
                             check.rotatedAt?.milliseconds])
    }
}
