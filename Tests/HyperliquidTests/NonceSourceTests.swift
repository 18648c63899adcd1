import Synchronization
import Testing
@testable import Hyperliquid

@Suite("nonce source")
struct NonceSourceTests {
    final class ManualClock: Sendable {
        let milliseconds = Mutex<UInt64>(1_000)
        func set(_ value: UInt64) { milliseconds.withLock { $0 = value } }
        func now() -> UInt64 { milliseconds.withLock { $0 } }
    }

    @Test("nonces follow the clock and stay strictly increasing when it stalls or steps back")
    func monotonic() {
        let clock = ManualClock()
        let source = NonceSource(clock: { clock.now() })
        #expect(source.next() == 1_000)
        #expect(source.next() == 1_001)
        #expect(source.next() == 1_002)
        clock.set(5_000)
        #expect(source.next() == 5_000)
        clock.set(4_000)
        #expect(source.next() == 5_001)
    }

    @Test("concurrent callers never receive the same nonce")
    func concurrent() async {
        let source = NonceSource(clock: { 42 })
        let nonces = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<500).map { _ in source.next() } }
            }
            return await group.reduce(into: [UInt64]()) { $0.append(contentsOf: $1) }
        }
        #expect(Set(nonces).count == 4_000)
        #expect(nonces.max() == 42 + 3_999)
    }

    @Test("the system clock is in milliseconds since 1970")
    func systemClock() {
        let now = NonceSource.systemMilliseconds()
        // Between 2025-01-01 and 2100-01-01.
        #expect(now > 1_735_689_600_000 && now < 4_102_444_800_000)
    }
}
