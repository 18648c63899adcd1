import CCrypto
import Hyperliquid

/// The 32-byte AES-256 key that seals every stored secret.
///
/// It is never printed (`description` is redacted), compared only in constant time, and wiped
/// from memory when the last reference goes away. Obtain one with `resolveMasterKey(environment:)`,
/// `MasterKey(contentsOfFile:)`, `MasterKey(hex:source:)` or `MasterKey.generate()`.
public struct MasterKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key's length in bytes.
    public static let byteCount = 32

    let storage: SecureBytes

    /// Parses 64 hex characters (surrounding whitespace and a `0x` prefix allowed).
    /// - Parameter source: where the text came from, named in the error (never the text itself).
    /// - Throws: `CustodyError.invalidMasterKey`.
    public init(hex: String, source: String) throws(CustodyError) {
        var trimmed = Array(hex.utf8.drop { Self.isWhitespace($0) })
        while let last = trimmed.last, Self.isWhitespace(last) { trimmed.removeLast() }
        defer { wipe(&trimmed) }
        guard var bytes = Hex.decode(String(decoding: trimmed, as: UTF8.self), byteCount: Self.byteCount) else {
            throw .invalidMasterKey(source: source)
        }
        defer { wipe(&bytes) }
        storage = SecureBytes(copying: bytes)
    }

    /// Uses the 32 bytes of `bytes`.
    /// - Throws: `CustodyError.invalidMasterKey` if there are not exactly 32.
    public init(bytes: [UInt8]) throws(CustodyError) {
        guard bytes.count == Self.byteCount else { throw .invalidMasterKey(source: "the bytes given") }
        storage = SecureBytes(copying: bytes)
    }

    /// Returns a new key from libcrypto's random generator (`RAND_bytes`).
    /// - Throws: `CustodyError.cryptoFailure` if the generator has no entropy.
    public static func generate() throws(CustodyError) -> MasterKey {
        do {
            let storage = try SecureBytes(count: byteCount) { buffer in
                guard let base = buffer.baseAddress, RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) == 1 else {
                    throw CustodyError.cryptoFailure("RAND_bytes could not produce a key")
                }
            }
            return MasterKey(storage: storage)
        } catch let error as CustodyError {
            throw error
        } catch {
            throw .cryptoFailure("RAND_bytes could not produce a key")
        }
    }

    init(storage: SecureBytes) {
        self.storage = storage
    }

    /// A short public name of the key: 16 hex digits of SHA-256 over a label and the key. It tells
    /// keys apart in messages and reveals nothing usable about a random 256-bit key.
    public var fingerprint: String {
        let label = Array("arena master key fingerprint v1\u{0}".utf8)
        let input = SecureBytes(count: label.count + Self.byteCount) { buffer in
            buffer.copyBytes(from: label)
            storage.withUnsafeBytes { key in
                UnsafeMutableRawBufferPointer(rebasing: buffer[label.count...]).copyMemory(from: key)
            }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = input.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(status == 1 && length == 32, "libcrypto failed to compute SHA-256")
        return Hex.encode(digest.prefix(8))
    }

    /// Returns the key as 64 lowercase hex characters, for writing a key file or for an operator
    /// who asked to see it (`arena keys init --show-key`). Anyone who reads it can read every secret.
    public func revealHex() -> String {
        storage.withUnsafeBytes { Hex.encode($0) }
    }

    /// Compares two keys in constant time (`CRYPTO_memcmp`).
    public static func == (a: MasterKey, b: MasterKey) -> Bool {
        a.storage.constantTimeEquals(b.storage)
    }

    /// Names the fingerprint only; the key never appears.
    public var description: String { "MasterKey(fingerprint: \(fingerprint))" }
    /// Names the fingerprint only; the key never appears.
    public var debugDescription: String { description }
    /// A mirror without children, so `dump` and reflection show nothing of the key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
