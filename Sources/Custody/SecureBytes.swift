import CCrypto

/// Bytes in memory we own, wiped with `OPENSSL_cleanse` when the last reference goes away, so a
/// key or a secret does not linger in freed memory.
///
/// `@unchecked Sendable`: the buffer is written only in `init` (and wiped in `deinit`, when no
/// other reference exists); afterwards it is only read, so sharing it between threads is safe.
final class SecureBytes: @unchecked Sendable {
    private let pointer: UnsafeMutableRawPointer
    let count: Int

    /// Allocates `count` bytes and lets `fill` write them before anyone else can see them.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        // Every stored property is set, so if `fill` throws, Swift runs `deinit`, which wipes and
        // frees the buffer: freeing it here too would free it twice.
        try fill(UnsafeMutableRawBufferPointer(start: pointer, count: count))
    }

    /// Copies `bytes`.
    convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    deinit {
        OPENSSL_cleanse(pointer, max(count, 1))
        pointer.deallocate()
    }

    /// Lends the bytes to `body`; they must not escape it.
    func withUnsafeBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Compares with `other` in constant time for equal lengths (`CRYPTO_memcmp`).
    func constantTimeEquals(_ other: SecureBytes) -> Bool {
        guard count == other.count else { return false }
        return CRYPTO_memcmp(pointer, other.pointer, count) == 0
    }
}

/// Overwrites `bytes` with zeros in a way the optimizer cannot skip.
func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
    }
}
