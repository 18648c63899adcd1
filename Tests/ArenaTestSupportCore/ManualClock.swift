import ArenaCore
import Synchronization

/// A wall clock that shows what the test sets, for code that measures real time (how old a
/// tracker's data is) while the test moves time on by hand.
public final class ManualClock: WallClock {
    private let time: Mutex<Timestamp>

    /// A clock showing `milliseconds` since 1970.
    public init(milliseconds: Int64) { time = Mutex(Timestamp(milliseconds: milliseconds)) }

    public func now() -> Timestamp { time.withLock { $0 } }

    /// Sets the time shown.
    public func set(milliseconds: Int64) { time.withLock { $0 = Timestamp(milliseconds: milliseconds) } }
}
