import ArenaCore
import Logging
import ServiceLifecycle
import Storage

/// Keeps the ledger bounded while the arena runs for weeks: feed messages older than
/// `eventsRetentionDays` of market time are pruned, and equity snapshots older than a day are
/// downsampled to each bucket's first, lowest, highest and last; alert deliveries are kept for as
/// many days as the feed's messages. Ages are measured against the
/// newest stored row (the market's time as the ledger saw it), so an accelerated or replayed
/// market is bounded the same way as a live one. Runs at start and then every `interval`, in
/// short transactions (`LedgerStore+Retention`).
public struct LedgerUpkeep: Service {
    public let ledger: LedgerStore
    /// Days of market time the feed's messages are kept; at least 1.
    public let eventsRetentionDays: Int
    /// Age from which equity snapshots are downsampled.
    public let snapshotsFullResolutionMilliseconds: Int64
    /// The bucket a downsampled snapshot stands for.
    public let snapshotBucketMilliseconds: Int64
    /// Wall time between two passes.
    public let interval: Duration
    let logger: Logger

    /// What one pass removed.
    public struct Pass: Sendable, Equatable {
        public var eventsPruned = 0
        public var snapshotsDownsampled = 0
        public var alertDeliveriesPruned = 0
    }

    public init(ledger: LedgerStore, eventsRetentionDays: Int = 7, snapshotsFullResolutionMilliseconds: Int64 = 86_400_000,
                snapshotBucketMilliseconds: Int64 = 300_000, interval: Duration = .seconds(60), logger: Logger) {
        self.ledger = ledger
        self.eventsRetentionDays = max(1, eventsRetentionDays)
        self.snapshotsFullResolutionMilliseconds = snapshotsFullResolutionMilliseconds
        self.snapshotBucketMilliseconds = snapshotBucketMilliseconds
        self.interval = interval
        self.logger = logger
    }

    /// One pass: prunes the feed and downsamples old snapshots; errors are logged, never thrown,
    /// so upkeep never stops the arena.
    @discardableResult
    public func runPass() -> Pass {
        var pass = Pass()
        do {
            if let newest = try ledger.newestEventTime() {
                let cutoff = Timestamp(milliseconds: newest.milliseconds - Int64(eventsRetentionDays) * 86_400_000)
                pass.eventsPruned = try ledger.pruneEvents(before: cutoff)
            }
            if let newest = try ledger.newestSnapshotTime() {
                let cutoff = Timestamp(milliseconds: newest.milliseconds - snapshotsFullResolutionMilliseconds)
                pass.snapshotsDownsampled = try ledger.downsampleSnapshots(before: cutoff, bucketMilliseconds: snapshotBucketMilliseconds)
            }
            if let newest = try ledger.newestAlertDeliveryTime() {
                let cutoff = Timestamp(milliseconds: newest.milliseconds - Int64(eventsRetentionDays) * 86_400_000)
                pass.alertDeliveriesPruned = try ledger.pruneAlertDeliveries(before: cutoff)
            }
        } catch {
            logger.error("ledger upkeep failed; it runs again at the next interval", metadata: ["error": "\(error)"])
        }
        if pass != Pass() {
            logger.info("ledger upkeep", metadata: ["events.pruned": "\(pass.eventsPruned)",
                                                    "snapshots.downsampled": "\(pass.snapshotsDownsampled)",
                                                    "alert_deliveries.pruned": "\(pass.alertDeliveriesPruned)"])
        }
        return pass
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                runPass()
                try? await Task.sleep(for: interval)
            }
        }
    }
}
