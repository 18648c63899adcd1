import ArenaCore
import Foundation
import GRDB

/// Keeping the ledger's two fastest-growing tables bounded: the feed's `events` are kept for a
/// window of market time, and equity snapshots older than a day are thinned to each bucket's
/// first, lowest, highest and last. Every step is a short transaction of at most one batch, so
/// the arena's writers wait for one batch at most, never for a whole pass.
extension LedgerStore {
    /// The lowest stored feed seq, or nil when the feed is empty.
    public func firstEventSeq() throws -> Int64? {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM events") }
    }

    /// The time of the newest feed message: the market's time as the ledger last saw it.
    public func newestEventTime() throws -> Timestamp? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT time FROM events ORDER BY seq DESC LIMIT 1").map(Timestamp.init(milliseconds:))
        }
    }

    /// Deletes feed messages older than `cutoff`, oldest first, `batchSize` per transaction; the
    /// newest message always stays, as a restart continues `seq` after it. Returns how many went.
    public func pruneEvents(before cutoff: Timestamp, batchSize: Int = 2_000) throws -> Int {
        var deleted = 0
        while true {
            let count = try database.write { db in
                try db.execute(sql: """
                    DELETE FROM events WHERE seq IN (
                        SELECT seq FROM events WHERE time < ? AND seq < (SELECT MAX(seq) FROM events) ORDER BY seq LIMIT ?)
                    """, arguments: [cutoff.milliseconds, batchSize])
                return db.changesCount
            }
            deleted += count
            if count < batchSize { return deleted }
        }
    }

    /// The time of the newest equity snapshot of any account.
    public func newestSnapshotTime() throws -> Timestamp? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(time) FROM account_snapshots").map(Timestamp.init(milliseconds:))
        }
    }

    static func snapshotWatermarkName(_ id: AccountID) -> String { "snapshots_downsampled:\(id.rawValue)" }

    /// Thins every account's equity snapshots older than `cutoff` (rounded down to a bucket
    /// boundary) to at most four per bucket of `bucketMilliseconds`: the first, the lowest, the
    /// highest and the last, so the curve keeps its extremes and its ends. Works through at most
    /// `bucketsPerBatch` buckets of one account per transaction and remembers where it stopped
    /// (`storage_watermarks`). Returns how many snapshots went.
    public func downsampleSnapshots(before cutoff: Timestamp, bucketMilliseconds: Int64 = 300_000,
                                    bucketsPerBatch: Int64 = 12) throws -> Int {
        precondition(bucketMilliseconds > 0 && bucketsPerBatch > 0)
        let end = cutoff.milliseconds - ((cutoff.milliseconds % bucketMilliseconds) + bucketMilliseconds) % bucketMilliseconds
        let accounts = try database.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM accounts ORDER BY id") }
        var deleted = 0
        for raw in accounts {
            let name = Self.snapshotWatermarkName(AccountID(raw))
            while true {
                let (count, done) = try database.write { db -> (Int, Bool) in
                    let watermark = try Int64.fetchOne(db, sql: "SELECT value FROM storage_watermarks WHERE name = ?", arguments: [name])
                    // The first pass of an account starts at its first snapshot's bucket.
                    guard let start = try watermark ?? Int64.fetchOne(db, sql: "SELECT MIN(time) FROM account_snapshots WHERE account_id = ?",
                                                                      arguments: [raw]).map({ $0 - (($0 % bucketMilliseconds) + bucketMilliseconds) % bucketMilliseconds }),
                          start < end else { return (0, true) }
                    let stop = min(end, start + bucketsPerBatch * bucketMilliseconds)
                    // CAST(equity AS REAL) only ranks a bucket's rows to find its extremes; the
                    // rows kept keep their exact text.
                    try db.execute(sql: """
                        DELETE FROM account_snapshots WHERE id IN (
                            SELECT id FROM (
                                SELECT id,
                                    ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY time, id) AS from_start,
                                    ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY time DESC, id DESC) AS from_end,
                                    ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY CAST(equity AS REAL), time, id) AS from_low,
                                    ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY CAST(equity AS REAL) DESC, time, id) AS from_high
                                FROM (SELECT id, time, equity, (time - ?) / ? AS bucket FROM account_snapshots
                                      WHERE account_id = ? AND time >= ? AND time < ?))
                            WHERE from_start > 1 AND from_end > 1 AND from_low > 1 AND from_high > 1)
                        """, arguments: [start, bucketMilliseconds, raw, start, stop])
                    let count = db.changesCount
                    try db.execute(sql: "INSERT INTO storage_watermarks (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                                   arguments: [name, stop])
                    return (count, stop >= end)
                }
                deleted += count
                if done { break }
            }
        }
        return deleted
    }
}
