import ArenaCore
import Dispatch
import GRDB
import Synchronization

/// Writes what account runners produce (decisions, executions, driver state) and keeps SQLite's
/// checkpoints out of their commits.
///
/// In WAL mode SQLite copies the log back into the database file (a checkpoint, with an fsync)
/// inside whichever commit crosses a thousand pages: with decisions carrying their prompts that
/// is every few hundred decisions, and that one commit then takes tens of milliseconds while every
/// other writer waits. This writer instead checkpoints passively every few dozen writes, on a
/// connection and a thread of its own, so that SQLite's own threshold is never reached and a
/// commit stays a commit.
///
/// Each call is one transaction, written on the caller's thread before it returns, as
/// `LedgerStore`'s own writes are.
public final class LedgerWriter: Sendable {
    private struct State {
        var writesSinceCheckpoint = 0
        var isCheckpointing = false
    }

    /// The store written to.
    public let ledger: LedgerStore
    private let state = Mutex(State())
    /// A connection for checkpoints only; nil when it cannot be opened (SQLite's automatic
    /// checkpoints inside commits then remain the only ones).
    private let checkpointConnection: DatabaseQueue?
    private let checkpointQueue = DispatchQueue(label: "arena.ledger-checkpoint", qos: .utility)

    /// Writes between two background checkpoints: about a megabyte of WAL for decisions with
    /// their prompts, well before SQLite's own checkpoint at a thousand pages would fire.
    static let writesPerCheckpoint = 32

    /// Creates a writer for a ledger; the process should share one per database.
    public init(ledger: LedgerStore) {
        self.ledger = ledger
        var configuration = Configuration()
        configuration.label = "arena-checkpoint"
        checkpointConnection = try? DatabaseQueue(path: ledger.database.path, configuration: configuration)
    }

    /// Runs `body` in one write transaction, then starts a background checkpoint when enough has
    /// been written since the last.
    /// - Throws: What `body` threw (the transaction is then rolled back), or a SQLite error.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        let result = try ledger.database.write(body)
        countWrite()
        return result
    }

    private func countWrite() {
        guard let checkpointConnection else { return }
        let starts = state.withLock { state in
            state.writesSinceCheckpoint += 1
            guard state.writesSinceCheckpoint >= Self.writesPerCheckpoint, !state.isCheckpointing else { return false }
            state.writesSinceCheckpoint = 0
            state.isCheckpointing = true
            return true
        }
        guard starts else { return }
        checkpointQueue.async {
            // Passive: copies what no reader still needs; never waits for, nor blocks, the writer.
            _ = try? checkpointConnection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            self.state.withLock { $0.isCheckpointing = false }
        }
    }

    /// Stores one driver call and returns its id.
    /// - Throws: A storage or SQLite error; nothing of the call is stored then.
    @discardableResult
    public func recordDecision(_ record: DecisionRecord) throws -> Int64 {
        try write { db in try LedgerStore.insertDecision(db, record) }
    }

    /// Stores one driver call together with everything its orders changed, in one transaction,
    /// and returns the call's id; the executions are linked to it.
    /// - Throws: A storage or SQLite error; nothing of the call or its executions is stored then.
    @discardableResult
    public func recordDecision(_ record: DecisionRecord, executions: [ExecutionRecord]) throws -> Int64 {
        try write { db in
            let decisionID = try LedgerStore.insertDecision(db, record)
            try LedgerStore.writeExecutions(db, executions.map { execution in
                var linked = execution
                linked.decisionID = decisionID
                return linked
            })
            return decisionID
        }
    }

    /// Stores everything one executor call changed, in one transaction.
    /// - Throws: A storage or SQLite error; nothing of it is stored then.
    public func recordExecution(_ record: ExecutionRecord) throws {
        try write { db in try LedgerStore.writeExecutions(db, [record]) }
    }

    /// Saves a driver's state, so a restart resumes it.
    /// - Throws: A SQLite error.
    public func saveDriverState(_ driverState: String?, for id: AccountID, now: Timestamp) throws {
        try write { db in
            try db.cachedStatement(sql: "UPDATE accounts SET driver_state = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [driverState, now.milliseconds, id.rawValue])
        }
    }
}
