/// A secret's plaintext (an API key, a private key): wiped from memory when the last copy goes
/// away, and never printed: `description`, `debugDescription` and the mirror all say `<redacted>`.
public struct SecretValue: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let storage: SecureBytes

    /// Copies the UTF-8 bytes of `text`.
    public init(_ text: String) {
        var utf8 = Array(text.utf8)
        defer { wipe(&utf8) }
        storage = SecureBytes(copying: utf8)
    }

    /// Copies `bytes`.
    public init(bytes: [UInt8]) {
        storage = SecureBytes(copying: bytes)
    }

    init(storage: SecureBytes) {
        self.storage = storage
    }

    /// The number of bytes.
    public var byteCount: Int { storage.count }

    /// Lends the plaintext bytes to `body`; they must not escape it.
    public func withUnsafeBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try storage.withUnsafeBytes(body)
    }

    /// Returns the plaintext as a string, for the one place that must send it (an HTTP header, a
    /// signer). Invalid UTF-8 is repaired with U+FFFD. The copy is an ordinary `String`, which
    /// Swift cannot wipe: keep it short-lived and never log it.
    public func revealString() -> String {
        storage.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Returns a copy of the plaintext bytes; wipe it (or let it go quickly) after use.
    public func revealBytes() -> [UInt8] {
        storage.withUnsafeBytes { Array($0) }
    }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }
    /// A mirror without children, so `dump` and reflection show nothing of the secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
