import CCrypto

/// SHA-256 through libcrypto, for migration checksums.
enum SHA256 {
    /// Returns the lowercase hex digest of `bytes`.
    static func hexDigest(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        precondition(ok == 1 && length == 32, "libcrypto failed to compute SHA-256")
        return hex(digest)
    }

    /// A digest as lowercase hex digits.
    static func hex(_ digest: [UInt8]) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}

/// SHA-256 through libcrypto fed in pieces: the digest of a text too large to hold at once (a
/// ledger's canonical dump) without a digest per piece.
final class SHA256Hasher {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("libcrypto could not allocate a digest context") }
        precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "libcrypto failed to start SHA-256")
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the text being hashed.
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(EVP_DigestUpdate(context, start, bytes.count) == 1, "libcrypto failed to compute SHA-256")
    }

    /// The digest of everything added so far, as 64 lowercase hex digits; the hasher is spent.
    func finishHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = digest.withUnsafeMutableBufferPointer { output in EVP_DigestFinal_ex(context, output.baseAddress, &length) }
        precondition(ok == 1 && length == 32, "libcrypto failed to compute SHA-256")
        return SHA256.hex(digest)
    }
}
