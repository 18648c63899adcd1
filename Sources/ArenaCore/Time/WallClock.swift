#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where wall-clock "now" comes from. Injected wherever the arena stamps a real time (an
/// operator's action, a venue deadline), so tests and replays decide what time it is.
public protocol WallClock: Sendable {
    /// Returns the current wall-clock time.
    func now() -> Timestamp
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    public init() {}

    /// Returns the time of the system's real-time clock, to the millisecond.
    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
