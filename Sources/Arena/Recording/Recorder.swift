import ArenaCore
import Storage

/// A feed message waiting for its seq: the report of a change, encoded in the change's
/// transaction (so a payload that cannot be encoded rolls the change back) unless the recorder
/// keeps no such message.
public struct FeedDraft: Sendable {
    public let topic: FeedTopic
    public let accountID: AccountID?
    /// The coin the message is about, if one: what a client's `symbols` filter looks at.
    public let symbol: Symbol?
    public let time: Timestamp
    private let payload: any Encodable & Sendable

    /// A `topic` message whose payload is `data`.
    public init<Payload: Encodable & Sendable>(_ topic: FeedTopic, accountID: AccountID? = nil, symbol: Symbol? = nil, time: Timestamp,
                                               data: Payload) {
        self.topic = topic
        self.accountID = accountID
        self.symbol = symbol
        self.time = time
        payload = data
    }

    /// The payload as the feed sends it.
    /// - Throws: `EncodingError` when the payload cannot be encoded.
    func dataJSON() throws -> String { try JSON.encode(payload) }
}

/// Writes every change of the arena together with the feed messages that report it, in one
/// transaction, then publishes those messages.
///
/// Seqs are assigned inside the transaction and published after it commits, while SQLite's
/// single writer is still held: the feed is the `events` table, in commit order, so a client
/// never sees a message a crash could take back, and a restart resumes the seq with no gap and
/// no repeat.
public final class Recorder: Sendable {
    /// The ledger written to.
    public let ledger: LedgerStore
    /// Where committed messages go out to feed clients.
    public let bus: EventBus
    private let writer: LedgerWriter
    /// Where write latencies, decisions, orders and fills are reported.
    public let metrics: ArenaMetrics
    /// Whether every message is stored and published, or only alerts (`ArenaConfiguration.keepsFeed`).
    public let keepsFeed: Bool

    /// Creates the recorder of a ledger; its bus continues after the newest stored message.
    /// - Parameters:
    ///   - batchInterval: How often batched feed clients are written at most.
    ///   - keepsFeed: False to drop every message but alerts, unencoded.
    /// - Throws: A SQLite error reading the newest seq.
    public init(ledger: LedgerStore, batchInterval: Duration = .milliseconds(10), metrics: ArenaMetrics = .disabled,
                keepsFeed: Bool = true) throws {
        self.ledger = ledger
        self.metrics = metrics
        self.keepsFeed = keepsFeed
        writer = LedgerWriter(ledger: ledger)
        bus = EventBus(lastSeq: try ledger.lastEventSeq(), batchInterval: batchInterval)
    }

    /// Runs `change` in one transaction together with the feed messages it appends to `feed`,
    /// then publishes them; returns what `change` returned.
    /// - Throws: What `change` threw, or a storage error; then nothing is written or published.
    @discardableResult
    public func record<T>(_ change: (LedgerTransaction, inout [FeedDraft]) throws -> T) throws -> T {
        let bus = self.bus
        let keepsFeed = self.keepsFeed
        let started = ContinuousClock.now
        do {
            let result = try writer.transaction({ transaction in
                var drafts: [FeedDraft] = []
                let result = try change(transaction, &drafts)
                if !keepsFeed { drafts.removeAll { $0.topic != .alert } }
                // The writer is held from here until the publish below, so no other seq can come between.
                var seq = bus.lastSeq
                let messages = try drafts.map { draft in
                    seq += 1
                    return FeedMessage(seq: seq, topic: draft.topic, accountID: draft.accountID, symbol: draft.symbol, time: draft.time,
                                       dataJSON: try draft.dataJSON())
                }
                try transaction.appendFeedMessages(messages)
                return (result, messages)
            }, afterCommit: { bus.publish($0.1) }).0
            metrics.databaseWrite(ContinuousClock.now - started)
            return result
        } catch {
            metrics.databaseWriteFailed(ContinuousClock.now - started)
            throw error
        }
    }

    /// Stores and publishes messages that report no other change: prices, the ranking, alerts.
    /// - Throws: A storage error; then nothing is written or published.
    public func record(_ drafts: [FeedDraft]) throws {
        guard !drafts.isEmpty else { return }
        try record { _, feed in feed += drafts }
    }
}
