import ArenaCore
import CCrypto

/// A secret sealed with AES-256-GCM: a random 12-byte nonce and the ciphertext with its 16-byte tag
/// appended.
public struct SealedSecret: Sendable, Hashable {
    public var nonce: [UInt8]
    /// The ciphertext followed by the 16-byte GCM tag.
    public var ciphertext: [UInt8]

    /// Creates a sealed secret from its parts (as read from the database).
    public init(nonce: [UInt8], ciphertext: [UInt8]) {
        self.nonce = nonce
        self.ciphertext = ciphertext
    }
}

/// AES-256-GCM through libcrypto under one master key.
///
/// Every seal draws a fresh random nonce (`RAND_bytes`); the associated data binds the ciphertext
/// to its account and name, so a ciphertext copied to another account or slot does not open.
public struct SecretBox: Sendable {
    /// The nonce length: GCM's standard 96 bits.
    public static let nonceByteCount = 12
    /// The tag length: GCM's full 128 bits.
    public static let tagByteCount = 16

    public let masterKey: MasterKey

    /// Creates a box sealing under `masterKey`.
    public init(masterKey: MasterKey) {
        self.masterKey = masterKey
    }

    /// Seals `secret` for the account's secret `name`.
    /// - Throws: `CustodyError.cryptoFailure` only if libcrypto fails (no randomness).
    public func seal(_ secret: SecretValue, accountID: AccountID, name: SecretName) throws(CustodyError) -> SealedSecret {
        try secret.withUnsafeBytes { plaintext throws(CustodyError) in
            try seal(plaintext, associatedData: Self.associatedData(accountID: accountID, name: name))
        }
    }

    /// Opens what `seal` made for the same account and name.
    /// - Throws: `CustodyError.secretUnreadable` when the nonce, ciphertext, tag, account or name
    ///   differ from the sealing, or the key is another; nothing of the plaintext is returned then.
    public func open(_ sealed: SealedSecret, accountID: AccountID, name: SecretName) throws(CustodyError) -> SecretValue {
        try open(sealed, associatedData: Self.associatedData(accountID: accountID, name: name),
                 failure: .secretUnreadable(accountID: accountID, name: name.rawValue))
    }

    /// The associated data of a secret: a version label, the account id and the name.
    static func associatedData(accountID: AccountID, name: SecretName) -> [UInt8] {
        Array("arena secret v1\u{0}\(accountID.rawValue)\u{0}\(name.rawValue)".utf8)
    }

    func seal(_ plaintext: UnsafeRawBufferPointer, associatedData: [UInt8]) throws(CustodyError) -> SealedSecret {
        var nonce = [UInt8](repeating: 0, count: Self.nonceByteCount)
        guard RAND_bytes(&nonce, Int32(Self.nonceByteCount)) == 1 else {
            ERR_clear_error()
            throw .cryptoFailure("RAND_bytes could not produce a nonce")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw .cryptoFailure("no cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: plaintext.count + Self.tagByteCount)
        let succeeded = masterKey.storage.withUnsafeBytes { key -> Bool in
            output.withUnsafeMutableBytes { outputBuffer -> Bool in
                guard let outputBase = outputBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
                var length: Int32 = 0
                guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceByteCount), nil) == 1,
                      EVP_EncryptInit_ex(context, nil, nil, key.baseAddress?.assumingMemoryBound(to: UInt8.self), nonce) == 1,
                      EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
                else { return false }
                var produced = 0
                if plaintext.count > 0 {
                    guard EVP_EncryptUpdate(context, outputBase, &length,
                                            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(plaintext.count)) == 1
                    else { return false }
                    produced = Int(length)
                }
                guard EVP_EncryptFinal_ex(context, outputBase + produced, &length) == 1 else { return false }
                produced += Int(length)
                guard produced == plaintext.count else { return false }
                return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagByteCount), outputBase + produced) == 1
            }
        }
        guard succeeded else {
            ERR_clear_error()
            throw .cryptoFailure("AES-256-GCM encryption failed")
        }
        return SealedSecret(nonce: nonce, ciphertext: output)
    }

    func open(_ sealed: SealedSecret, associatedData: [UInt8], failure: CustodyError) throws(CustodyError) -> SecretValue {
        guard sealed.nonce.count == Self.nonceByteCount, sealed.ciphertext.count >= Self.tagByteCount else { throw failure }
        guard let context = EVP_CIPHER_CTX_new() else { throw .cryptoFailure("no cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        let plaintextCount = sealed.ciphertext.count - Self.tagByteCount
        var tag = Array(sealed.ciphertext[plaintextCount...])
        do {
            let storage = try SecureBytes(count: plaintextCount) { plaintext in
                let succeeded = masterKey.storage.withUnsafeBytes { key -> Bool in
                    sealed.ciphertext.withUnsafeBufferPointer { ciphertext -> Bool in
                        var length: Int32 = 0
                        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceByteCount), nil) == 1,
                              EVP_DecryptInit_ex(context, nil, nil, key.baseAddress?.assumingMemoryBound(to: UInt8.self), sealed.nonce) == 1,
                              EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
                        else { return false }
                        // A scratch byte stands in for an empty plaintext's output pointer.
                        var scratch: UInt8 = 0
                        let outputBase = plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self)
                        var produced = 0
                        if plaintextCount > 0 {
                            guard let outputBase,
                                  EVP_DecryptUpdate(context, outputBase, &length, ciphertext.baseAddress, Int32(plaintextCount)) == 1
                            else { return false }
                            produced = Int(length)
                        }
                        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagByteCount), &tag) == 1 else { return false }
                        // The tag is checked here: a failure means altered data or another key.
                        let finalStatus = withUnsafeMutablePointer(to: &scratch) { scratchPointer in
                            EVP_DecryptFinal_ex(context, outputBase.map { $0 + produced } ?? scratchPointer, &length)
                        }
                        return finalStatus > 0 && produced + Int(length) == plaintextCount
                    }
                }
                guard succeeded else { throw failure }
            }
            return SecretValue(storage: storage)
        } catch let error as CustodyError {
            ERR_clear_error()
            throw error
        } catch {
            ERR_clear_error()
            throw failure
        }
    }
}
