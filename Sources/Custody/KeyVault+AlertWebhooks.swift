import ArenaCore
import Storage

/// Alert webhooks added through the admin API: their URLs may hold a token (Slack's path,
/// Telegram's bot token), so they are stored sealed under the master key like the accounts'
/// secrets, bound to the webhook's id, and re-sealed with them by `rotate`.
extension KeyVault {
    /// Seals `url` for webhook `id` and stores it with what may be shown of it, in one transaction.
    /// - Throws: `CustodyError.wrongMasterKey` if the database's key was rotated since this vault
    ///   opened, `StorageError.conflict` if the id is taken.
    public func storeAlertWebhook(id: Int64, url: SecretValue, format: String, maskedURL: String, chatID: String?,
                                  now: Timestamp) throws {
        let sealed = try url.withUnsafeBytes { plaintext throws(CustodyError) in
            try box.seal(plaintext, associatedData: Self.alertWebhookAssociatedData(id: id))
        }
        let record = StoredAlertWebhookRecord(id: id, format: format, maskedURL: maskedURL, chatID: chatID, urlNonce: sealed.nonce,
                                              urlCiphertext: sealed.ciphertext, createdAt: now)
        try store.insertAlertWebhook(record) { current in
            guard let current, current == check else {
                throw CustodyError.wrongMasterKey(databaseFingerprint: current?.keyFingerprint ?? "none",
                                                  givenFingerprint: box.masterKey.fingerprint)
            }
        }
    }

    /// The URL of a stored webhook, decrypted.
    /// - Throws: `CustodyError.alertWebhookUnreadable` when it does not decrypt under this key.
    public func alertWebhookURL(of record: StoredAlertWebhookRecord) throws(CustodyError) -> SecretValue {
        try Self.openAlertWebhook(record, box: box)
    }

    /// The associated data of a webhook's sealed URL: a version label and the id, so a ciphertext
    /// copied to another row (or an account secret's slot) does not open.
    static func alertWebhookAssociatedData(id: Int64) -> [UInt8] {
        Array("arena alert webhook v1\u{0}\(id)".utf8)
    }

    static func openAlertWebhook(_ record: StoredAlertWebhookRecord, box: SecretBox) throws(CustodyError) -> SecretValue {
        try box.open(SealedSecret(nonce: record.urlNonce, ciphertext: record.urlCiphertext),
                     associatedData: alertWebhookAssociatedData(id: record.id), failure: .alertWebhookUnreadable(id: record.id))
    }

    /// `record` with its URL opened under `old` and sealed again under `new`.
    static func resealAlertWebhook(_ record: StoredAlertWebhookRecord, from old: SecretBox,
                                   to new: SecretBox) throws(CustodyError) -> StoredAlertWebhookRecord {
        let url = try openAlertWebhook(record, box: old)
        let sealed = try url.withUnsafeBytes { plaintext throws(CustodyError) in
            try new.seal(plaintext, associatedData: alertWebhookAssociatedData(id: record.id))
        }
        var replacement = record
        replacement.urlNonce = sealed.nonce
        replacement.urlCiphertext = sealed.ciphertext
        return replacement
    }
}

extension KeyVault {
    /// The ids of the stored alert webhooks whose URL does not decrypt under this vault's key
    /// (normally none), for `arena keys check`.
    public func unreadableAlertWebhookIDs() throws -> [Int64] {
        try store.storedAlertWebhooks().compactMap { record in
            (try? Self.openAlertWebhook(record, box: box)) == nil ? record.id : nil
        }
    }
}
