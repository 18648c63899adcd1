import CCrypto
import Hyperliquid

/// SHA-256 digests of bearer tokens and their constant-time comparison: the server keeps only a
/// token's digest, and finds who presented a token without timing revealing which digest, or how
/// much of one, matched.
public enum TokenDigest {
    /// The length of a digest in bytes.
    public static let byteCount = 32

    /// Returns the SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let status = bytes.withUnsafeBufferPointer { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, fetchedSHA256 ?? EVP_sha256(), nil)
        }
        precondition(status == 1 && length == 32, "libcrypto failed to compute SHA-256")
        return digest
    }

    /// Returns the SHA-256 of a token's UTF-8 bytes as 64 lowercase hex characters, as a tokens
    /// file holds it.
    public static func sha256Hex(of token: String) -> String {
        Hex.encode(sha256(Array(token.utf8)))
    }

    /// Returns the SHA-256 of the UTF-8 bytes of `parts` one after the other (as of their
    /// concatenation) as 64 lowercase hex characters, without building the concatenation.
    public static func sha256Hex(ofConcatenated parts: [String]) -> String {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("libcrypto could not allocate a digest context") }
        defer { EVP_MD_CTX_free(context) }
        var status = EVP_DigestInit_ex(context, fetchedSHA256 ?? EVP_sha256(), nil)
        for var part in parts {
            part.withUTF8 { bytes in status &= EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) }
        }
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        status &= EVP_DigestFinal_ex(context, &digest, &length)
        precondition(status == 1 && length == 32, "libcrypto failed to compute SHA-256")
        return Hex.encode(digest)
    }

    /// SHA-256 looked up once: `EVP_sha256()` makes libcrypto look it up again, under a lock, at
    /// every digest (a season hashes a hundred thousand prompts). libcrypto's methods are
    /// immutable once fetched and may be shared by threads.
    nonisolated(unsafe) private static let fetchedSHA256 = EVP_MD_fetch(nil, "SHA2-256", nil)

    /// Compares two digests in time that does not depend on their contents (`CRYPTO_memcmp`).
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, a.count) == 0 }
        }
    }
}
