import ArenaCore
import Logging
import ServiceLifecycle
import Storage

/// Keeps the venue audit to its retention: deletes rows older than `retentionDays` at start and
/// then every `interval`, until shutdown.
public struct VenueAuditRetention: Service {
    /// The ledger pruned.
    public let ledger: LedgerStore
    /// Days a row is kept.
    public let retentionDays: Int
    /// Time between two prunings.
    public let interval: Duration
    let clock: any WallClock
    let logger: Logger

    /// Creates the service.
    /// - Parameters:
    ///   - retentionDays: Days an audit row is kept; at least 1.
    ///   - interval: Time between two prunings.
    public init(ledger: LedgerStore, retentionDays: Int, interval: Duration = .seconds(3600), clock: any WallClock = SystemClock(),
                logger: Logger) {
        self.ledger = ledger
        self.retentionDays = max(1, retentionDays)
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    /// The time before which rows are deleted, given now.
    public func cutoff(now: Timestamp) -> Timestamp {
        Timestamp(milliseconds: now.milliseconds - Int64(retentionDays) * 86_400_000)
    }

    /// Deletes the rows past retention once and returns how many went.
    @discardableResult
    public func prune() -> Int {
        do {
            let deleted = try ledger.pruneVenueAudit(before: cutoff(now: clock.now()))
            if deleted > 0 { logger.info("venue audit pruned", metadata: ["rows": "\(deleted)", "retention.days": "\(retentionDays)"]) }
            return deleted
        } catch {
            logger.error("could not prune the venue audit", metadata: ["error": "\(error)"])
            return 0
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                prune()
                try? await Task.sleep(for: interval)
            }
        }
    }
}
