import Foundation
import Synchronization

/// Hands out the nonces of one signer: the current time in milliseconds, but always above the
/// previous nonce, so that two requests in the same millisecond (or after the clock steps back)
/// never share one. The venue keeps the highest 100 nonces per signer and rejects repeats.
public final class NonceSource: Sendable {
    private let clock: @Sendable () -> UInt64
    private let last = Mutex<UInt64>(0)

    /// Creates a source over `clock`, which returns milliseconds since the Unix epoch.
    public init(clock: @escaping @Sendable () -> UInt64 = NonceSource.systemMilliseconds) {
        self.clock = clock
    }

    /// Returns max(now, previous + 1) and remembers it.
    public func next() -> UInt64 {
        let now = clock()
        return last.withLock { previous in
            let nonce = max(now, previous + 1)
            previous = nonce
            return nonce
        }
    }

    /// The wall clock in milliseconds since the Unix epoch.
    public static func systemMilliseconds() -> UInt64 {
        UInt64(max(0, (Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
